package com.abiquo.aim.network;

import com.abiquo.aim.core.error.AimException;
import java.nio.charset.StandardCharsets;

/**
 * A VLAN as AIM manages it: tag, parent interface and the bridge its sub-interface joins. Only {@link #of} builds
 * one, so every instance holds names that are safe as command arguments and file names.
 */
public record VlanSpec(int tag, String parent, String bridge) {
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
        if (bridge.equals(parent) || bridge.equals(device) || bridge.equals("abiquo_" + device)) {
            throw InterfaceNames.invalid("bridge", "bridge \"" + bridge + "\" must differ from the parent interface "
                    + "and from the VLAN interface " + device + " (and \"abiquo_" + device + "\" would share the VLAN's "
                    + "ifcfg file name)");
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
