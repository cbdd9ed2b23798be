package com.abiquo.aim.ctl;

import com.abiquo.aim.client.AimClient;
import com.abiquo.aim.client.ImageCopies;
import com.abiquo.aim.v1.CopyFromDatastoreToRepositoryRequest;
import com.abiquo.aim.v1.RimpCopyOptions;
import com.abiquo.aim.v1.RimpCopyResult;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "snapshot", description = "Copies <datastore>/<vm uuid> to <repository>/<folder>/<name>, with progress.")
final class SnapshotCommand implements Callable<Integer> {
    @ParentCommand
    AimCtl aimctl;
    @Spec
    CommandSpec spec;
    @Option(names = "--vm", required = true, paramLabel = "UUID", description = "The virtual machine's uuid.")
    String vm;
    @Option(names = "--datastore", required = true, paramLabel = "DIR", description = "The datastore folder.")
    String datastore;
    @Parameters(index = "0", paramLabel = "FOLDER", description = "The destination folder, relative to the"
            + " repository.")
    String folder;
    @Parameters(index = "1", paramLabel = "NAME", description = "The snapshot's file name.")
    String name;
    @Option(names = "--verify", description = "Compare the copy's SHA-256 with the source's.")
    boolean verify;

    @Override
    public Integer call() throws InterruptedException {
        Output output = aimctl.output(spec);
        ProgressDisplay display = new ProgressDisplay(spec.commandLine().getErr(), "snapshot",
                ProgressDisplay.onTerminal());
        try (AimClient aim = aimctl.connect()) {
            RimpCopyResult result = CopyRunner.await(new ImageCopies(aim.channel()).snapshot(
                    CopyFromDatastoreToRepositoryRequest.newBuilder().setVmUuid(vm).setSourceDatastorePath(datastore)
                            .setDestinationRepositoryPath(folder).setSnapshot(name)
                            .setOptions(RimpCopyOptions.newBuilder().setVerifySha256(verify)).build(), display),
                    display);
            CopyResults.print(output, result);
        }
        return 0;
    }
}
