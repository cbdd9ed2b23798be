package com.abiquo.aim.ctl;

import com.abiquo.aim.client.AimClient;
import com.abiquo.aim.client.ImageCopies;
import com.abiquo.aim.v1.UploadResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "upload", description = "Sends a local file to the node (a datastore or the repository), with progress.")
final class UploadCommand implements Callable<Integer> {
    @ParentCommand
    AimCtl aimctl;
    @Spec
    CommandSpec spec;
    @Parameters(index = "0", paramLabel = "FILE", description = "The local file.")
    Path file;
    @Parameters(index = "1", paramLabel = "DEST", description = "The absolute path on the node.")
    String destination;
    @Option(names = "--sha256", paramLabel = "HEX", defaultValue = "",
            description = "The file's SHA-256: the agent refuses a copy that differs (DATA_LOSS).")
    String sha256;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Output output = aimctl.output(spec);
        ProgressDisplay display = new ProgressDisplay(spec.commandLine().getErr(), "upload",
                ProgressDisplay.onTerminal());
        try (AimClient aim = aimctl.connect()) {
            UploadResponse result = CopyRunner.await(
                    new ImageCopies(aim.channel()).upload(file, destination, sha256, display), display);
            if (output.json()) {
                output.json(result);
            } else {
                output.line(result.getPath() + ": " + Bytes.human(result.getSizeBytes()) + ", sha256 "
                        + result.getSha256());
            }
        }
        return 0;
    }
}
