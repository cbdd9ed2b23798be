package com.abiquo.aim.client;

import com.abiquo.aim.v1.CommonProto;
import com.abiquo.aim.v1.EventsProto;
import com.abiquo.aim.v1.LibvirtProto;
import com.abiquo.aim.v1.RimpProto;
import com.abiquo.aim.v1.StorageProto;
import com.abiquo.aim.v1.VlanProto;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The reasons AIM puts in a failure's {@code google.rpc.ErrorInfo}, as values a caller can switch on: exactly the
 * values of the protos' {@code ...ErrorReason} enums (aim-proto), which document each one (when it is raised, its
 * status, what to do), in their order; {@code AimErrorReasonTest} fails when the two differ, and
 * {@link #descriptor()} leads to the proto value. A libvirt failure's reason is {@code LIBVIRT_} followed by libvirt's
 * error code name. A reason
 * this version of the client does not know (a newer agent) is {@link #UNRECOGNIZED}; the exception keeps its text
 * ({@link AimClientException#reasonName()}). {@link #NONE} is a failure without ErrorInfo (e.g. the transport's own
 * UNAVAILABLE).
 */
public enum AimErrorReason {
    NONE,
    UNRECOGNIZED,
    // CommonErrorReason (common.proto)
    AGENT_STOPPING,
    CHAP_NOT_APPLICABLE,
    CLIENT_CERTIFICATE_REQUIRED,
    COMMAND_INTERRUPTED,
    COMMAND_NOT_AVAILABLE,
    COMMAND_OUTPUT_UNREADABLE,
    COMMAND_TIMEOUT,
    INITIATOR_REQUIRED,
    INVALID_CHAP_SECRET,
    INVALID_NAME,
    INVALID_PATH,
    INVALID_VOLUME_FORMAT,
    ISCSI_LOGIN_FAILED,
    ISCSI_POOL_START_FAILED,
    ISCSI_TARGET_NOT_FOUND,
    LIBVIRT_NOT_AVAILABLE,
    MALFORMED_REQUEST,
    MESSAGE_TOO_LARGE,
    METHOD_NOT_CLASSIFIED,
    NAME_TOO_LONG,
    PATH_OUTSIDE_ROOT,
    PATH_TOO_LONG,
    POOL_AUTH_CONFLICT,
    POOL_CANNOT_CREATE_VOLUMES,
    POOL_EXISTS_WITH_OTHER_SOURCE,
    POOL_INITIATOR_CONFLICT,
    POOL_IN_USE,
    POOL_NOT_ACTIVE,
    POOL_NOT_FOUND,
    POOL_TYPE_INVALID,
    POOL_TYPE_UNSUPPORTED,
    PORTAL_UNREACHABLE,
    ROLE_REQUIRED,
    SIZE_INVALID,
    STORAGE_CALLS_EXHAUSTED,
    STORAGE_CALL_FAILED,
    STORAGE_CALL_INTERRUPTED,
    STORAGE_CALL_TIMEOUT,
    TOO_MANY_CALLS,
    VOLUME_EXISTS,
    VOLUME_NOT_FOUND,
    VOLUME_SHRINK_BELOW_ALLOCATION,
    VOLUME_SHRINK_REFUSED,
    /** Retired: the agent no longer sends it; see INVALID_SIZE in common.proto for its replacement. */
    @Deprecated
    INVALID_SIZE,
    /** Retired: the agent no longer sends it; see INVALID_POOL_TYPE in common.proto for its replacement. */
    @Deprecated
    INVALID_POOL_TYPE,
    /** Retired: the agent no longer sends it; see CAPACITY_INVALID in common.proto for its replacement. */
    @Deprecated
    CAPACITY_INVALID,
    // LibvirtErrorReason (libvirt.proto)
    ALLOCATION_OVER_CAPACITY,
    CHAP_SECRET_REQUIRED,
    CHAP_USERNAME_REQUIRED,
    DISK_EMPTY,
    DISK_FORMAT_INVALID,
    DISK_INVALID,
    DISK_NOT_FOUND,
    DISK_SHRINK_REFUSED,
    DOMAIN_MISSING,
    DOMAIN_NAME_EMPTY,
    DOMAIN_NAME_INVALID,
    DOMAIN_NAME_MISSING,
    DOMAIN_NAME_TOO_LONG,
    DOMAIN_NOT_FOUND,
    DOMAIN_NOT_PMSUSPENDED,
    DOMAIN_NOT_RUNNING,
    DOMAIN_UUID_EMPTY,
    DOMAIN_UUID_INVALID,
    FIELD_REQUIRED,
    LIBVIRT_ACCESS_DENIED,
    LIBVIRT_AGENT_UNRESPONSIVE,
    LIBVIRT_AGENT_UNSYNCED,
    LIBVIRT_ARGUMENT_UNSUPPORTED,
    LIBVIRT_AUTH_CANCELLED,
    LIBVIRT_AUTH_FAILED,
    LIBVIRT_AUTH_UNAVAILABLE,
    LIBVIRT_BLOCK_COPY_ACTIVE,
    LIBVIRT_BUILD_FIREWALL,
    LIBVIRT_CALL_FAILED,
    LIBVIRT_CHECKPOINT_INCONSISTENT,
    LIBVIRT_CONFIG_UNSUPPORTED,
    LIBVIRT_CONF_SYNTAX,
    LIBVIRT_CPU_INCOMPATIBLE,
    LIBVIRT_DBUS_SERVICE,
    LIBVIRT_DEVICE_MISSING,
    LIBVIRT_DOM_EXIST,
    LIBVIRT_DRIVER_FULL,
    LIBVIRT_GET_FAILED,
    LIBVIRT_GNUTLS_ERROR,
    LIBVIRT_HOOK_SCRIPT_FAILED,
    LIBVIRT_HTTP_ERROR,
    LIBVIRT_INTERNAL_ERROR,
    LIBVIRT_INVALID_ARG,
    LIBVIRT_INVALID_CONN,
    LIBVIRT_INVALID_DOMAIN,
    LIBVIRT_INVALID_DOMAIN_CHECKPOINT,
    LIBVIRT_INVALID_DOMAIN_SNAPSHOT,
    LIBVIRT_INVALID_INTERFACE,
    LIBVIRT_INVALID_MAC,
    LIBVIRT_INVALID_NETWORK,
    LIBVIRT_INVALID_NETWORK_PORT,
    LIBVIRT_INVALID_NODE_DEVICE,
    LIBVIRT_INVALID_NWFILTER,
    LIBVIRT_INVALID_NWFILTER_BINDING,
    LIBVIRT_INVALID_SECRET,
    LIBVIRT_INVALID_STORAGE_POOL,
    LIBVIRT_INVALID_STORAGE_VOL,
    LIBVIRT_INVALID_STREAM,
    LIBVIRT_LIBSSH,
    LIBVIRT_MIGRATE_FINISH_OK,
    LIBVIRT_MIGRATE_PERSIST_FAILED,
    LIBVIRT_MIGRATE_UNSAFE,
    LIBVIRT_MULTIPLE_DOMAINS,
    LIBVIRT_MULTIPLE_INTERFACES,
    LIBVIRT_NETWORK_EXIST,
    LIBVIRT_NETWORK_PORT_EXIST,
    LIBVIRT_NO_CLIENT,
    LIBVIRT_NO_CONNECT,
    LIBVIRT_NO_DEVICE,
    LIBVIRT_NO_DOMAIN,
    LIBVIRT_NO_DOMAIN_BACKUP,
    LIBVIRT_NO_DOMAIN_CHECKPOINT,
    LIBVIRT_NO_DOMAIN_METADATA,
    LIBVIRT_NO_DOMAIN_SNAPSHOT,
    LIBVIRT_NO_HOSTNAME,
    LIBVIRT_NO_INTERFACE,
    LIBVIRT_NO_KERNEL,
    LIBVIRT_NO_MEMORY,
    LIBVIRT_NO_NAME,
    LIBVIRT_NO_NETWORK,
    LIBVIRT_NO_NETWORK_PORT,
    LIBVIRT_NO_NODE_DEVICE,
    LIBVIRT_NO_NWFILTER,
    LIBVIRT_NO_NWFILTER_BINDING,
    LIBVIRT_NO_OS,
    LIBVIRT_NO_ROOT,
    LIBVIRT_NO_SECRET,
    LIBVIRT_NO_SECURITY_MODEL,
    LIBVIRT_NO_SERVER,
    LIBVIRT_NO_SOURCE,
    LIBVIRT_NO_STORAGE_POOL,
    LIBVIRT_NO_STORAGE_VOL,
    LIBVIRT_NO_SUPPORT,
    LIBVIRT_NO_TARGET,
    LIBVIRT_NO_XEN,
    LIBVIRT_NO_XENSTORE,
    LIBVIRT_OK,
    LIBVIRT_OPEN_FAILED,
    LIBVIRT_OPERATION_ABORTED,
    LIBVIRT_OPERATION_DENIED,
    LIBVIRT_OPERATION_FAILED,
    LIBVIRT_OPERATION_INVALID,
    LIBVIRT_OPERATION_TIMEOUT,
    LIBVIRT_OPERATION_UNSUPPORTED,
    LIBVIRT_OS_TYPE,
    LIBVIRT_OVERFLOW,
    LIBVIRT_PARSE_FAILED,
    LIBVIRT_POST_FAILED,
    LIBVIRT_READ_FAILED,
    LIBVIRT_RESOURCE_BUSY,
    LIBVIRT_RPC,
    LIBVIRT_SEXPR_SERIAL,
    LIBVIRT_SNAPSHOT_REVERT_RISKY,
    LIBVIRT_SSH,
    LIBVIRT_STORAGE_POOL_BUILT,
    LIBVIRT_STORAGE_PROBE_FAILED,
    LIBVIRT_STORAGE_VOL_EXIST,
    LIBVIRT_SYSTEM_ERROR,
    LIBVIRT_UNKNOWN,
    LIBVIRT_UNKNOWN_HOST,
    LIBVIRT_UNREACHABLE,
    LIBVIRT_WAR_NO_INTERFACE,
    LIBVIRT_WAR_NO_NETWORK,
    LIBVIRT_WAR_NO_NODE,
    LIBVIRT_WAR_NO_NWFILTER,
    LIBVIRT_WAR_NO_SECRET,
    LIBVIRT_WAR_NO_STORAGE,
    LIBVIRT_WRITE_FAILED,
    LIBVIRT_XEN_CALL,
    LIBVIRT_XML_DETAIL,
    LIBVIRT_XML_ERROR,
    LIBVIRT_XML_INVALID_SCHEMA,
    MALFORMED_XML,
    NOT_A_DOMAIN_XML,
    POOL_NAME_EMPTY,
    POOL_NAME_INVALID,
    PORT_INVALID,
    SHUTDOWN_INTERRUPTED,
    SHUTDOWN_TIMEOUT_INVALID,
    SINCE_INVALID,
    STORAGE_NOT_AVAILABLE,
    VOLUME_IN_USE,
    VOLUME_NAME_EMPTY,
    VOLUME_NAME_INVALID,
    XML_EMPTY,
    XML_PARSER,
    XML_TOO_LARGE,
    // EventsErrorReason (events.proto)
    EVENT_SEND_FAILED,
    EVENT_SOURCE_MISSING,
    INVALID_EVENT_REQUEST,
    JOURNAL_POINT_GONE,
    LIBVIRT_NOT_CONNECTED,
    SEQUENCE_NOT_ISSUED,
    SNAPSHOTS_NOT_READ,
    SUBSCRIBER_TOO_SLOW,
    SUBSCRIPTION_DOMAIN_LIMIT,
    SUBSCRIPTION_NOT_FOUND,
    SUBSCRIPTION_WATCHES_ALL_DOMAINS,
    // VlanErrorReason (vlan.proto)
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
    // StorageErrorReason (storage.proto)
    INITIATOR_NAME_FILE_MISSING,
    INITIATOR_NAME_FILE_UNREADABLE,
    INITIATOR_NAME_INVALID,
    INITIATOR_NAME_MISSING,
    INVALID_IQN,
    INVALID_POOL_KIND,
    INVALID_PORTAL,
    ISCSI_DISCOVERY_FAILED,
    NO_INITIATOR_AVAILABLE,
    NO_TARGETS,
    SYSFS_UNREADABLE,
    TARGET_NOT_KNOWN,
    // RimpErrorReason (rimp.proto)
    ACCESS_DENIED,
    BACKUP_FOLDER_INVALID,
    BACKUP_IS_FOLDER,
    BAD_CHECKSUM_FILE,
    CANCELLED,
    CHECKSUM_MISMATCH,
    COPY_LIMIT_REACHED,
    DATASTORE_FOLDER_NOT_FOUND,
    DATASTORE_NOT_FOUND,
    DESTINATION_BUSY,
    DESTINATION_EXISTS,
    INSTANCE_IS_FOLDER,
    INSTANCE_IS_LINK,
    INVALID_SHA256,
    IO_ERROR,
    NOT_A_FILE,
    NO_SPACE,
    PATH_EXISTS,
    PATH_IS_LINK,
    PATH_NOT_FOUND,
    READ_ONLY_FILE_SYSTEM,
    REPOSITORY_UNUSABLE,
    SOURCE_CHANGED,
    UPLOAD_ABORTED,
    UPLOAD_HEADER_MISSING,
    UPLOAD_HEADER_REPEATED,
    UPLOAD_SIZE_MISMATCH,
    UPLOAD_TOO_LARGE,
    /** Retired: the agent no longer sends it; see FILE_NOT_FOUND in rimp.proto for its replacement. */
    @Deprecated
    FILE_NOT_FOUND,
    /** Retired: the agent no longer sends it; see SOURCE_NOT_FOUND in rimp.proto for its replacement. */
    @Deprecated
    SOURCE_NOT_FOUND,
    ;

    private static final Map<String, AimErrorReason> BY_NAME = new HashMap<>();

    static {
        for (AimErrorReason reason : values()) {
            BY_NAME.put(reason.name(), reason);
        }
    }

    /** The protos' values by name, read on first use: a client that only switches on reasons never loads them. */
    private static final class ProtoValues {
        static final Map<String, EnumValueDescriptor> BY_NAME = new HashMap<>();

        static {
            protoCatalogue().forEach(value -> BY_NAME.put(value.getName(), value));
        }
    }

    /** The values of every {@code ...ErrorReason} enum of the protos (without their zero values). */
    static List<EnumValueDescriptor> protoCatalogue() {
        return List.of(CommonProto.getDescriptor(), LibvirtProto.getDescriptor(), EventsProto.getDescriptor(),
                        VlanProto.getDescriptor(), StorageProto.getDescriptor(), RimpProto.getDescriptor()).stream()
                .map(FileDescriptor::getEnumTypes)
                .flatMap(List::stream)
                .filter(type -> type.getName().endsWith("ErrorReason"))
                .flatMap(type -> type.getValues().stream())
                .filter(value -> value.getNumber() != 0)
                .toList();
    }

    /**
     * The proto enum value that defines this reason (e.g. {@code RimpErrorReason.PATH_NOT_FOUND}), whose comment in
     * the .proto says when it is raised and what to do; empty for {@link #NONE} and {@link #UNRECOGNIZED}.
     */
    public Optional<EnumValueDescriptor> descriptor() {
        return Optional.ofNullable(ProtoValues.BY_NAME.get(name()));
    }

    /** True for a reason the agent no longer sends (deprecated in the protos, which name its replacement). */
    public boolean isRetired() {
        return descriptor().map(value -> value.getOptions().getDeprecated()).orElse(false);
    }

    /** The reason named {@code name}; {@link #NONE} for an empty one, {@link #UNRECOGNIZED} for an unknown one. */
    public static AimErrorReason of(String name) {
        if (name == null || name.isEmpty()) {
            return NONE;
        }
        AimErrorReason reason = BY_NAME.get(name);
        return reason == null || reason == NONE || reason == UNRECOGNIZED ? UNRECOGNIZED : reason;
    }

    /** True for a failure libvirt reported (the reason is {@code LIBVIRT_<libvirt's code>}). */
    public boolean isLibvirt() {
        return name().startsWith("LIBVIRT_");
    }
}
