package com.abiquo.aim.ctl;

import com.abiquo.aim.client.AimClient;
import com.abiquo.aim.v1.CreateVlanRequest;
import com.abiquo.aim.v1.DeleteVlanRequest;
import com.abiquo.aim.v1.VlanChange;
import com.google.protobuf.Message;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "vlan", description = "Creates or deletes a VLAN interface TAG on IFACE, attached to BRIDGE.")
final class VlanCommand implements Callable<Integer> {
    enum Action { create, delete }

    @ParentCommand
    AimCtl aimctl;
    @Spec
    CommandSpec spec;
    @Parameters(index = "0", paramLabel = "ACTION", description = "create or delete.")
    Action action;
    @Parameters(index = "1", paramLabel = "TAG", description = "The VLAN tag (1-4094).")
    int tag;
    @Parameters(index = "2", paramLabel = "IFACE", description = "The parent interface, e.g. eth1.")
    String parent;
    @Parameters(index = "3", paramLabel = "BRIDGE", description = "The bridge.")
    String bridge;
    @Option(names = "--force", description = "delete: also when guests still use the bridge.")
    boolean force;

    @Override
    public Integer call() {
        Output output = aimctl.output(spec);
        try (AimClient aim = aimctl.connect()) {
            Message answer = aim.call(() -> action == Action.create
                    ? aim.vlan().createVlan(CreateVlanRequest.newBuilder().setTag(tag).setParentInterface(parent)
                            .setBridge(bridge).build())
                    : aim.vlan().deleteVlan(DeleteVlanRequest.newBuilder().setTag(tag).setParentInterface(parent)
                            .setBridge(bridge).setForce(force).build()));
            if (output.json()) {
                output.json(answer);
                return 0;
            }
            @SuppressWarnings("unchecked")
            List<VlanChange> changes = (List<VlanChange>) answer.getField(
                    answer.getDescriptorForType().findFieldByName("changes"));
            if (changes.isEmpty()) {
                output.line("nothing to change");
            }
            changes.forEach(change -> output.line(Output.shortName(change.getKind(), "VLAN_CHANGE_KIND_") + " "
                    + change.getTarget()));
        }
        return 0;
    }
}
