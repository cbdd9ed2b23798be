package com.abiquo.aim.server;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/** The version and git revision recorded at build time (see aim-server's pom: resource filtering and git). */
public record BuildInfo(String version, String gitRevision) {
    public BuildInfo {
        requireNonNull(version, "version is null");
        requireNonNull(gitRevision, "gitRevision is null");
    }

    public static BuildInfo load() {
        Properties properties = new Properties();
        String revision = "unknown";
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException ignored) {
            // a jar without the file still runs; -v then says "unknown"
        }
        try (InputStream in = BuildInfo.class.getResourceAsStream("git-revision")) {
            if (in != null) {
                revision = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            }
        } catch (IOException ignored) {
            // same as above
        }
        return new BuildInfo(properties.getProperty("version", "unknown"), revision.isEmpty() ? "unknown" : revision);
    }
}
