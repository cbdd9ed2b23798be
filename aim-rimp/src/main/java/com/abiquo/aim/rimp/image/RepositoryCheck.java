package com.abiquo.aim.rimp.image;

import java.nio.file.Path;
import java.util.List;

/** The result of checking the repository: valid, or the problems an operator must fix. */
public record RepositoryCheck(Path repository, boolean valid, List<String> problems) {
    public RepositoryCheck {
        problems = List.copyOf(problems);
    }
}
