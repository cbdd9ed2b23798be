package com.abiquo.aim.network;

import com.abiquo.aim.core.error.ErrorReason;

/**
 * The reasons aim-network (the Vlan service) raises in a failure's {@code google.rpc.ErrorInfo}. Each is documented,
 * with its gRPC code and what a client should do, in the protos (VlanErrorReason in vlan.proto);
 * ErrorReasonCatalogueTest checks that every constant is listed there.
 */
public enum VlanErrorReason implements ErrorReason {
    ATTACH_STEP_FAILED,
    BRIDGE_HAS_PORTS,
    BRIDGE_NAME_TAKEN,
    BRIDGE_STEP_FAILED,
    DELETE_STEP_FAILED,
    DETACH_STEP_FAILED,
    FILE_CONFLICT,
    IFDOWN_STEP_FAILED,
    IFUP_INCOMPLETE,
    IFUP_STEP_FAILED,
    INVALID_INTERFACE_NAME,
    INVALID_VLAN_TAG,
    IP_TOOL_FAILED,
    LINK_DOWN_STEP_FAILED,
    LINK_LIST_FAILED,
    LINK_LIST_UNREADABLE,
    LINK_UP_STEP_FAILED,
    NAMESPACE_MISSING,
    NMCLI_RELOAD_FAILED,
    PARENT_INTERFACE_MISSING,
    SCRIPTS_FOLDER_FAILURE,
    VERIFY_FAILED,
    VLAN_IN_OTHER_BRIDGE,
    VLAN_NAME_TAKEN,
    VLAN_STEP_FAILED,
    VLAN_TAG_IN_USE,
    ;
}
