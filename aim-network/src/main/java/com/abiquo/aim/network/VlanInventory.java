package com.abiquo.aim.network;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.network.VlanManager.Listing;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** The VLANs and bridges the ifcfg files describe, each with what the kernel shows of it now. Changes nothing. */
final class VlanInventory {
    private final IpTool ip;
    private final NetworkFiles files;

    VlanInventory(IpTool ip, NetworkFiles files) {
        this.ip = requireNonNull(ip, "ip is null");
        this.files = requireNonNull(files, "files is null");
    }

    Listing list() throws AimException {
        Map<String, LinkInfo> links = ip.links();
        List<VlanState> vlans = new ArrayList<>();
        TreeSet<String> bridgeNames = new TreeSet<>();
        for (NetworkFiles.VlanFile file : files.vlanFiles()) {
            if (file.spec().isPresent()) {
                VlanSpec spec = file.spec().get();
                vlans.add(VlanState.of(spec, links, file.fileName()));
                bridgeNames.add(spec.bridge());
            }
        }
        bridgeNames.addAll(files.aimBridgeNames());
        List<BridgeState> bridges = new ArrayList<>();
        for (String name : bridgeNames) {
            LinkInfo link = links.get(name);
            String bridgeFile = files.bridgeFile(name);
            String fileName = files.read(bridgeFile).isPresent() ? bridgeFile : "";
            List<String> ports = links.values().stream().filter(port -> name.equals(port.master()))
                    .map(LinkInfo::name).sorted().toList();
            bridges.add(new BridgeState(name, fileName, link != null && link.isBridge(), link != null
                    && link.adminUp(), link == null ? "" : link.operState(), ports));
        }
        vlans.sort((a, b) -> a.spec().device().compareTo(b.spec().device()));
        return new Listing(vlans, bridges);
    }
}
