package com.abiquo.aim.ctl;

import com.abiquo.aim.client.AimClient;
import com.abiquo.aim.v1.RescanTargetsRequest;
import com.abiquo.aim.v1.RescanTargetsResponse;
import com.abiquo.aim.v1.TargetRescan;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "rescan", description = "Rescans iSCSI targets for new or resized LUNs.")
final class RescanCommand implements Callable<Integer> {
    @ParentCommand
    AimCtl aimctl;
    @Spec
    CommandSpec spec;
    @Parameters(arity = "1..*", paramLabel = "TARGET", description = "Target IQNs.")
    List<String> targets;

    @Override
    public Integer call() {
        Output output = aimctl.output(spec);
        try (AimClient aim = aimctl.connect()) {
            RescanTargetsResponse rescans = aim.call(() -> aim.storage().rescanTargets(
                    RescanTargetsRequest.newBuilder().addAllTargetIqns(targets).build()));
            if (output.json()) {
                output.json(rescans);
                return 0;
            }
            output.table(List.of("TARGET", "OUTCOME", "LUNS", "ERROR"),
                    rescans.getTargetsList().stream().map(RescanCommand::row).toList());
        }
        return 0;
    }

    private static List<String> row(TargetRescan rescan) {
        String error = !rescan.getKernel().getError().isEmpty() ? rescan.getKernel().getError() : rescan.getPoolsError();
        return List.of(rescan.getTargetIqn(), Output.shortName(rescan.getOutcome(), "TARGET_RESCAN_OUTCOME_"),
                Integer.toString(rescan.getKernel().getLunsCount()), error);
    }
}
