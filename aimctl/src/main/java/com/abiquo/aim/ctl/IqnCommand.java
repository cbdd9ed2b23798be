package com.abiquo.aim.ctl;

import com.abiquo.aim.client.AimClient;
import com.abiquo.aim.v1.GetInitiatorIqnRequest;
import com.abiquo.aim.v1.GetInitiatorIqnResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "iqn", description = "The node's iSCSI initiator name.")
final class IqnCommand implements Callable<Integer> {
    @ParentCommand
    AimCtl aimctl;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Output output = aimctl.output(spec);
        try (AimClient aim = aimctl.connect()) {
            GetInitiatorIqnResponse iqn = aim.call(() -> aim.storage().getInitiatorIqn(
                    GetInitiatorIqnRequest.getDefaultInstance()));
            if (output.json()) {
                output.json(iqn);
            } else {
                output.line(iqn.getInitiatorIqn());
            }
        }
        return 0;
    }
}
