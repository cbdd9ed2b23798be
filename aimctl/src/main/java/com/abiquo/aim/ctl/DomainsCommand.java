package com.abiquo.aim.ctl;

import com.abiquo.aim.client.AimClient;
import com.abiquo.aim.v1.LibvirtDomainInfo;
import com.abiquo.aim.v1.ListDomainsRequest;
import com.abiquo.aim.v1.ListDomainsResponse;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "domains", description = "The node's domains (virtual machines) and their state.")
final class DomainsCommand implements Callable<Integer> {
    @ParentCommand
    AimCtl aimctl;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Output output = aimctl.output(spec);
        try (AimClient aim = aimctl.connect()) {
            ListDomainsResponse domains = aim.call(() -> aim.libvirt().listDomains(ListDomainsRequest.getDefaultInstance()));
            if (output.json()) {
                output.json(domains);
                return 0;
            }
            output.table(List.of("NAME", "UUID", "STATE", "VCPUS", "MEMORY", "PERSISTENT"),
                    domains.getDomainsList().stream().map(DomainsCommand::row).toList());
        }
        return 0;
    }

    private static List<String> row(LibvirtDomainInfo domain) {
        return List.of(domain.getName(), domain.getUuid(), Output.shortName(domain.getState(), "DOMAIN_STATE_"),
                Integer.toString(domain.getVcpus()), Bytes.human(domain.getMemoryBytes()),
                domain.getPersistent() ? "yes" : "no");
    }
}
