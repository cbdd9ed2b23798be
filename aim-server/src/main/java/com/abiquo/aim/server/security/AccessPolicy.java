package com.abiquo.aim.server.security;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Which role a client's certificate gives it. The [authorization] section's readers and operators, or, without that
 * section, "every authenticated client is an operator" (AIM's behaviour before roles existed).
 *
 * @param readers patterns of the clients that may read
 * @param operators patterns of the clients that may do everything
 * @param everyoneOperates true without an [authorization] section
 */
public record AccessPolicy(List<IdentityPattern> readers, List<IdentityPattern> operators, boolean everyoneOperates) {
    public AccessPolicy {
        readers = List.copyOf(requireNonNull(readers, "readers is null"));
        operators = List.copyOf(requireNonNull(operators, "operators is null"));
    }

    public static AccessPolicy everyoneAnOperator() {
        return new AccessPolicy(List.of(), List.of(), true);
    }

    public static AccessPolicy of(List<IdentityPattern> readers, List<IdentityPattern> operators) {
        return new AccessPolicy(readers, operators, false);
    }

    /** The strongest role any of the client's identities matches (every identity is tried, in A43's order). */
    public Role roleOf(ClientIdentity client) {
        if (everyoneOperates || matchesAny(operators, client)) {
            return Role.OPERATOR;
        }
        return matchesAny(readers, client) ? Role.READER : Role.NONE;
    }

    private static boolean matchesAny(List<IdentityPattern> patterns, ClientIdentity client) {
        for (String identity : client.identities()) {
            for (IdentityPattern pattern : patterns) {
                if (pattern.matches(identity)) {
                    return true;
                }
            }
        }
        return false;
    }
}
