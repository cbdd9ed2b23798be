package com.abiquo.aim.ctl;

import com.abiquo.aim.client.AimClient;
import com.abiquo.aim.client.ImageCopies;
import com.abiquo.aim.v1.CopyFromRepositoryToDatastoreRequest;
import com.abiquo.aim.v1.RimpCopyOptions;
import com.abiquo.aim.v1.RimpCopyResult;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "deploy", description = "Copies an image of the repository to <datastore>/<vm uuid>, with progress.")
final class DeployCommand implements Callable<Integer> {
    @ParentCommand
    AimCtl aimctl;
    @Spec
    CommandSpec spec;
    @Parameters(index = "0", paramLabel = "SRC", description = "The image, relative to the repository.")
    String source;
    @Option(names = "--datastore", required = true, paramLabel = "DIR", description = "The datastore folder.")
    String datastore;
    @Option(names = "--vm", required = true, paramLabel = "UUID", description = "The virtual machine's uuid.")
    String vm;
    @Option(names = "--verify", description = "Compare the copy's SHA-256 with the source's.")
    boolean verify;

    @Override
    public Integer call() throws InterruptedException {
        Output output = aimctl.output(spec);
        ProgressDisplay display = new ProgressDisplay(spec.commandLine().getErr(), "deploy",
                ProgressDisplay.onTerminal());
        try (AimClient aim = aimctl.connect()) {
            RimpCopyResult result = CopyRunner.await(new ImageCopies(aim.channel()).deploy(
                    CopyFromRepositoryToDatastoreRequest.newBuilder().setRepositoryPath(source)
                            .setDatastorePath(datastore).setVmUuid(vm)
                            .setOptions(RimpCopyOptions.newBuilder().setVerifySha256(verify)).build(), display),
                    display);
            CopyResults.print(output, result);
        }
        return 0;
    }
}
