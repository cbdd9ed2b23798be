package com.abiquo.aim.network;

import com.abiquo.aim.core.error.AimException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where AIM keeps its VLANs and bridges across reboots: ifcfg files ({@link IfcfgFiles}) for initscripts and
 * NetworkManager's ifcfg-rh plugin, or NetworkManager keyfiles ({@link KeyfileFiles}). One file per bridge and one
 * per VLAN; create writes them, delete removes them, restore reads them.
 */
public interface NetworkFiles {
    /** A VLAN file read back: its spec, or why it cannot be one. */
    record VlanFile(String fileName, Optional<VlanSpec> spec, String problem) {
        static VlanFile unreadable(String fileName, String why) {
            return new VlanFile(fileName, Optional.empty(), why);
        }
    }

    Path folder();

    /** The [vlan] key that names the folder, for messages. */
    String configKey();

    String bridgeFile(String bridge);

    String vlanFile(VlanSpec spec);

    String bridgeText(String bridge);

    String vlanText(VlanSpec spec);

    /** Turns a VLAN file's content into the VLAN it describes. */
    VlanFile readVlanFile(String fileName, String content);

    /** Why this bridge file's content does not describe that bridge, or "" when it does. */
    String bridgeProblem(String bridge, String content);

    /** Whether AIM wrote this file (what makes a bridge AIM's to delete). */
    boolean isAims(String content);

    Optional<String> read(String fileName) throws AimException;

    /** Every VLAN file of AIM's in the folder (bridges' files left out), sorted by name; an absent folder has none. */
    List<VlanFile> vlanFiles() throws AimException;

    /** Bridges whose file AIM wrote, sorted. */
    List<String> aimBridgeNames() throws AimException;

    /** Writes the file atomically. */
    void write(String fileName, String content) throws AimException;

    /** @return whether there was a file to remove */
    boolean remove(String fileName) throws AimException;

    /** Called once after an operation changed files and kept them (tells whoever reads them; never fails). */
    default void changed() {
    }
}
