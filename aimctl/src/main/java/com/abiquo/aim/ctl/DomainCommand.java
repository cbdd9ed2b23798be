package com.abiquo.aim.ctl;

import com.abiquo.aim.client.AimClient;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.DomainState;
import com.abiquo.aim.v1.PauseDomainRequest;
import com.abiquo.aim.v1.PowerOffDomainRequest;
import com.abiquo.aim.v1.PowerOnDomainRequest;
import com.abiquo.aim.v1.ResetDomainRequest;
import com.abiquo.aim.v1.ResumeDomainRequest;
import com.abiquo.aim.v1.ShutdownDomainRequest;
import com.google.protobuf.Message;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "domain", description = "Changes a domain's power state: start, stop (power off), shutdown (ask the"
        + " guest), pause, resume, reset.")
final class DomainCommand implements Callable<Integer> {
    private static final Pattern UUID = Pattern.compile("\\p{XDigit}{8}-(\\p{XDigit}{4}-){3}\\p{XDigit}{12}");

    enum Action { start, stop, shutdown, pause, resume, reset }

    @ParentCommand
    AimCtl aimctl;
    @Spec
    CommandSpec spec;
    @Parameters(index = "0", paramLabel = "ACTION", description = "One of: ${COMPLETION-CANDIDATES}.")
    Action action;
    @Parameters(index = "1", paramLabel = "NAME", description = "The domain's name or uuid.")
    String name;

    @Override
    public Integer call() {
        Output output = aimctl.output(spec);
        DomainRef domain = reference(name);
        try (AimClient aim = aimctl.connect()) {
            Message answer = aim.call(() -> switch (action) {
                case start -> aim.libvirt().powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(domain).build());
                case stop -> aim.libvirt().powerOffDomain(PowerOffDomainRequest.newBuilder().setDomain(domain).build());
                case shutdown -> aim.libvirt().shutdownDomain(
                        ShutdownDomainRequest.newBuilder().setDomain(domain).build());
                case pause -> aim.libvirt().pauseDomain(PauseDomainRequest.newBuilder().setDomain(domain).build());
                case resume -> aim.libvirt().resumeDomain(ResumeDomainRequest.newBuilder().setDomain(domain).build());
                case reset -> aim.libvirt().resetDomain(ResetDomainRequest.newBuilder().setDomain(domain).build());
            });
            if (output.json()) {
                output.json(answer);
            } else {
                Object state = answer.getField(answer.getDescriptorForType().findFieldByName("state"));
                String stateName = state instanceof com.google.protobuf.Descriptors.EnumValueDescriptor value
                        ? Output.shortName(DomainState.valueOf(value), "DOMAIN_STATE_") : String.valueOf(state);
                output.line(name + ": " + stateName);
            }
        }
        return 0;
    }

    static DomainRef reference(String nameOrUuid) {
        return UUID.matcher(nameOrUuid).matches() ? DomainRef.newBuilder().setUuid(nameOrUuid).build()
                : DomainRef.newBuilder().setName(nameOrUuid).build();
    }
}
