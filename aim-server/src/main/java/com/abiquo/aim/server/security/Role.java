package com.abiquo.aim.server.security;

/** What [authorization] gives a client: NONE when its certificate matches neither readers nor operators. */
public enum Role {
    NONE("no role"),
    READER("reader"),
    OPERATOR("operator");

    private final String label;

    Role(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
