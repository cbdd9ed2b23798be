package com.abiquo.aim.network;

import com.abiquo.aim.core.error.AimException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * A VLAN as AIM manages it: tag, parent interface and the bridge its sub-interface joins. Only {@link #of} builds
 * one, so every instance holds names that are safe as command arguments and file names.
 */
public record VlanSpec(int tag, String parent, String bridge) {
    /** abiquo_&lt;interface&gt;.&lt;digits&gt;: a VLAN's ifcfg file name without "ifcfg-". */
    private static final Pattern VLAN_FILE_ALIAS = Pattern.compile("abiquo_.+\\.[0-9]+");

    public VlanSpec {
        if (InterfaceNames.problem(parent) != null || InterfaceNames.problem(bridge) != null
                || tag < InterfaceNames.MIN_TAG || tag > InterfaceNames.MAX_TAG) {
            throw new IllegalArgumentException("unchecked VLAN spec " + tag + " " + parent + " " + bridge);
        }
    }

    /** Validates everything a request gives, before any command runs. */
    public static VlanSpec of(long tag, String parent, String bridge) throws AimException {
        int checkedTag = InterfaceNames.requireTag(tag);
        InterfaceNames.requireValid("parent_interface", parent);
        InterfaceNames.requireValid("bridge", bridge);
        String device = parent + "." + checkedTag;
        if (device.getBytes(StandardCharsets.UTF_8).length > InterfaceNames.MAX_BYTES) {
            throw InterfaceNames.invalid("parent_interface", "the VLAN interface name \"" + device + "\" would be "
                    + "longer than " + InterfaceNames.MAX_BYTES + " bytes (the kernel's limit): use a shorter "
                    + "parent_interface");
        }
        if (bridge.equals(parent) || bridge.equals(device)) {
            throw InterfaceNames.invalid("bridge", "bridge \"" + bridge + "\" must differ from the parent interface "
                    + "and from the VLAN interface " + device);
        }
        // ifcfg-<bridge> would be the file of the VLAN "<interface>.<n>" (ifcfg-abiquo_<interface>.<n>), this one's
        // or any other: refused in every call, so no delete can remove another VLAN's file through the alias
        if (VLAN_FILE_ALIAS.matcher(bridge).matches()) {
            throw InterfaceNames.invalid("bridge", "bridge \"" + bridge + "\" is named like a VLAN's ifcfg file: "
                    + IfcfgFiles.bridgeFileName(bridge) + " would be the file of VLAN interface "
                    + bridge.substring("abiquo_".length()) + "; use another name, e.g. abiquo_" + checkedTag);
        }
        return new VlanSpec(checkedTag, parent, bridge);
    }

    /** The sub-interface name, "&lt;parent&gt;.&lt;tag&gt;" as the original AIM and vconfig named it. */
    public String device() {
        return parent + "." + tag;
    }

    @Override
    public String toString() {
        return "VLAN " + tag + " on " + parent + " (" + device() + " in bridge " + bridge + ")";
    }
}
