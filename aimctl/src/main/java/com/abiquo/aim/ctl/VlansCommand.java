package com.abiquo.aim.ctl;

import com.abiquo.aim.client.AimClient;
import com.abiquo.aim.v1.ListVlansRequest;
import com.abiquo.aim.v1.ListVlansResponse;
import com.abiquo.aim.v1.ManagedVlan;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "vlans", description = "The VLANs and bridges AIM manages on the node.")
final class VlansCommand implements Callable<Integer> {
    @ParentCommand
    AimCtl aimctl;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Output output = aimctl.output(spec);
        try (AimClient aim = aimctl.connect()) {
            ListVlansResponse vlans = aim.call(() -> aim.vlan().listVlans(ListVlansRequest.getDefaultInstance()));
            if (output.json()) {
                output.json(vlans);
                return 0;
            }
            output.table(List.of("TAG", "PARENT", "DEVICE", "BRIDGE", "UP", "ATTACHED"),
                    vlans.getVlansList().stream().map(VlansCommand::row).toList());
        }
        return 0;
    }

    private static List<String> row(ManagedVlan vlan) {
        return List.of(Integer.toString(vlan.getTag()), vlan.getParentInterface(), vlan.getDevice(), vlan.getBridge(),
                vlan.getUp() ? "yes" : "no", vlan.getAttached() ? "yes" : "no");
    }
}
