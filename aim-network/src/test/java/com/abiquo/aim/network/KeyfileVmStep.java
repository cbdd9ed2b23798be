package com.abiquo.aim.network;

import com.abiquo.aim.core.command.CommandRunner;
import com.abiquo.aim.testing.RecordingHealth;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Run inside the VM by src/test/vm/networkmanager, with a real NetworkManager running: AIM's VLAN service with
 * keyfiles in the folder given as first argument creates (argument "create") or deletes ("delete") VLAN 7 on eth0 in
 * bridge abiquo_7, as a CreateVlan or DeleteVlan call would, reload of NetworkManager included. Prints what it did.
 */
public final class KeyfileVmStep {
    private KeyfileVmStep() {
    }

    public static void main(String[] args) throws Exception {
        CommandRunner runner = new CommandRunner();
        NetworkManagerReload reload = new NetworkManagerReload(runner, "nmcli", Duration.ofSeconds(60));
        System.out.println("running=" + reload.running());
        VlanManager manager = new VlanManager(new IpTool(runner, Optional.empty(), Duration.ofSeconds(60)),
                new KeyfileFiles(Path.of(args[0]), reload), new RecordingHealth(),
                VlanManager.Ifup.off());
        VlanSpec spec = VlanSpec.of(7, "eth0", "abiquo_7");
        if (args[1].equals("create")) {
            System.out.println("created " + manager.create(spec).changes());
        } else {
            System.out.println("deleted " + manager.delete(spec, false).changes());
        }
    }
}
