package com.abiquo.aim.rimp.image;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.FileErrors;
import com.abiquo.aim.core.path.ConfinedRoot;
import com.abiquo.aim.rimp.RimpErrorReason;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The image repository folder. It is usable when it exists, is a readable and writable folder and holds the mark
 * file {@code .abiquo_repository}; the mark is what tells a mounted NFS repository from the empty local folder
 * under it, so nothing is written into a repository without it.
 */
public final class Repository {
    public static final String MARK = ".abiquo_repository";
    private final Path folder;

    public Repository(Path folder) {
        this.folder = requireNonNull(folder, "folder is null");
    }

    public Path folder() {
        return folder;
    }

    public RepositoryCheck check() {
        List<String> problems = new ArrayList<>();
        if (!Files.exists(folder)) {
            problems.add("the repository " + folder + " does not exist (is the NFS repository mounted?)");
        } else if (!Files.isDirectory(folder)) {
            problems.add("the repository " + folder + " is not a folder");
        } else {
            if (!Files.isReadable(folder)) {
                problems.add("the repository " + folder + " is not readable by the agent");
            }
            if (!Files.isWritable(folder)) {
                problems.add("the repository " + folder + " is not writable by the agent");
            }
            if (!Files.exists(folder.resolve(MARK))) {
                problems.add("the repository " + folder + " has no " + MARK
                        + " mark file (is the NFS repository mounted there?)");
            }
        }
        return new RepositoryCheck(folder, problems.isEmpty(), problems);
    }

    /** The confined root for client paths; FAILED_PRECONDITION with every problem when it is not usable. */
    public ConfinedRoot root() throws AimException {
        RepositoryCheck check = check();
        if (!check.valid()) {
            throw new AimException(Status.Code.FAILED_PRECONDITION, RimpErrorReason.REPOSITORY_UNUSABLE,
                    String.join("; ", check.problems()), Map.of("repository", folder.toString()), null);
        }
        try {
            return ConfinedRoot.of(folder);
        } catch (IOException failure) {
            throw new AimException(Status.Code.FAILED_PRECONDITION, RimpErrorReason.REPOSITORY_UNUSABLE,
                    "the repository " + folder + " cannot be resolved: " + FileErrors.reason(failure),
                    Map.of("repository", folder.toString()), failure);
        }
    }
}
