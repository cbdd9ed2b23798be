package com.abiquo.aim.core.command;

import java.util.List;

/** What a finished command left: its argument array, exit status and captured output. */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr) {
    public boolean succeeded() {
        return exitCode == 0;
    }
}
