package com.abiquo.aim.ctl;

import com.abiquo.aim.client.AimClient;
import com.abiquo.aim.v1.GetAgentInfoRequest;
import com.abiquo.aim.v1.GetAgentInfoResponse;
import com.google.protobuf.util.Timestamps;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "info", description = "The agent: version, node, start time and the health of every service.")
final class InfoCommand implements Callable<Integer> {
    @ParentCommand
    AimCtl aimctl;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Output output = aimctl.output(spec);
        try (AimClient aim = aimctl.connect()) {
            GetAgentInfoResponse info = aim.call(() -> aim.node().getAgentInfo(GetAgentInfoRequest.getDefaultInstance()));
            if (output.json()) {
                output.json(info);
                return 0;
            }
            output.line("agent:    AIM " + info.getVersion() + " (" + info.getGitRevision() + ")");
            output.line("node:     " + info.getHostname() + " (" + info.getAddress() + ")");
            output.line("started:  " + Timestamps.toString(info.getStartTime()));
            List<List<String>> rows = new ArrayList<>();
            for (String service : info.getServicesList()) {
                rows.add(List.of(service, health(aim, service)));
            }
            output.line("");
            output.table(List.of("SERVICE", "HEALTH"), rows);
        }
        return 0;
    }

    private static String health(AimClient aim, String service) {
        try {
            return HealthGrpc.newBlockingStub(aim.channel()).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus().name();
        } catch (StatusRuntimeException failed) {
            return "UNKNOWN (" + failed.getStatus().getCode() + ")";
        }
    }
}
