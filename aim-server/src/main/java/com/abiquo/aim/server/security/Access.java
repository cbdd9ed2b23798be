package com.abiquo.aim.server.security;

/** Who may call a method once [authorization] is set: the least a client's role must be. */
public enum Access {
    /** Health checks: every client with a certificate the client CA signed, whatever its role. */
    AUTHENTICATED("any authenticated client"),
    /** Reads the node's state; changes nothing (and its own event stream only). */
    READER("reader"),
    /** Changes something on the node: domains, disks, images, VLANs, pools. */
    OPERATOR("operator");

    private final String label;

    Access(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Whether a client holding {@code role} may call a method that needs this. */
    public boolean grantedTo(Role role) {
        return switch (this) {
            case AUTHENTICATED -> true;
            case READER -> role == Role.READER || role == Role.OPERATOR;
            case OPERATOR -> role == Role.OPERATOR;
        };
    }
}
