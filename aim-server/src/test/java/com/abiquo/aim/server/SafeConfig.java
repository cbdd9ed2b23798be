package com.abiquo.aim.server;

import com.abiquo.aim.core.config.ConfigSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An aim.ini for tests that touches nothing of this machine: loopback, port 0, libvirt's test driver, repository
 * and datastore in a temporary folder, a namespace that does not exist. Only the keys that the loaded modules
 * declare are written, so the tests run whichever modules are installed.
 */
final class SafeConfig {
    private SafeConfig() {
    }

    static Path write(Path folder, String extraServerLines) throws IOException {
        Path repository = Files.createDirectories(folder.resolve("repository"));
        Files.writeString(repository.resolve(".abiquo_repository"), "");
        Files.createDirectories(folder.resolve("datastore"));
        Files.createDirectories(folder.resolve("network-scripts"));
        Files.createDirectories(folder.resolve("system-connections"));
        Files.writeString(folder.resolve("initiatorname.iscsi"), "InitiatorName=iqn.2026-11.test.aim:server\n");
        Map<String, Map<String, String>> wanted = new LinkedHashMap<>();
        wanted.put("monitor", Map.of("uri", "test:///default"));
        wanted.put("rimp", Map.of("repository", "repository", "datastores", "datastore",
                "autoBackup", "FALSE", "autoRestore", "false"));
        wanted.put("vlan", Map.of("namespace", "aimsrv-absent-" + ProcessHandle.current().pid(),
                "networkScripts", "network-scripts", "restoreOnStart", "false", "useIfup", "false",
                "keyfileFolder", "system-connections", "nmcli", ""));
        wanted.put("storage", Map.of("initiatorNameFile", "initiatorname.iscsi"));
        ConfigSchema schema = ModuleLoader.schema(ModuleLoader.load());
        StringBuilder text = new StringBuilder("[server]\naddress = 127.0.0.1\nport = 0 ; any free port\n"
                + "shutdownGraceSeconds = 2\n").append(extraServerLines);
        wanted.forEach((section, keys) -> {
            if (schema.hasSection(section)) {
                text.append("\n[").append(section).append("]\n");
                keys.forEach((key, value) -> {
                    if (schema.hasKey(section, key)) {
                        text.append(key).append(" = ").append(value).append('\n');
                    }
                });
            }
        });
        Path file = folder.resolve("aim.ini");
        Files.writeString(file, text);
        return file;
    }

    static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file);
    }
}
