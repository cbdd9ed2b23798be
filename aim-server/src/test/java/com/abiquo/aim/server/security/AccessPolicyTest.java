package com.abiquo.aim.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.AimSettingsReader;
import com.abiquo.aim.core.config.ConfigException;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {
    @Test
    void starMatchesAnyRunOfCharactersAndNothingElseIsSpecial() {
        IdentityPattern pattern = new IdentityPattern("spiffe://abiquo/*/controller");
        assertTrue(pattern.matches("spiffe://abiquo/eu-1/controller"));
        assertTrue(pattern.matches("spiffe://abiquo//controller"));
        assertFalse(pattern.matches("spiffe://abiquo/eu-1/controller2"));
        assertFalse(pattern.matches("SPIFFE://abiquo/eu-1/controller"));
        // regular expression characters are literal
        assertFalse(new IdentityPattern("a.b").matches("axb"));
        assertTrue(new IdentityPattern("(x)+[y]").matches("(x)+[y]"));
        assertTrue(new IdentityPattern("*").matches(""));
    }

    @Test
    void listsSplitOnCommasAndAnEscapedCommaStaysInsideADn() {
        assertEquals(List.of(new IdentityPattern("CN=controller,O=Abiquo"), new IdentityPattern("*.monitor.test")),
                IdentityPattern.parseList(" CN=controller\\,O=Abiquo ,*.monitor.test,, "));
        assertEquals(List.of(), IdentityPattern.parseList(""));
    }

    @Test
    void everyIdentityIsTriedAndTheStrongestRoleWins() {
        ClientIdentity client = new ClientIdentity(List.of("spiffe://abiquo/monitor", "m.abiquo.test",
                "CN=ctl,O=Abiquo"));
        AccessPolicy dnOperates = AccessPolicy.of(List.of(new IdentityPattern("spiffe://abiquo/monitor")),
                List.of(new IdentityPattern("CN=ctl,O=Abiquo")));
        assertEquals(Role.OPERATOR, dnOperates.roleOf(client));
        AccessPolicy dnsReads = AccessPolicy.of(List.of(new IdentityPattern("*.abiquo.test")), List.of());
        assertEquals(Role.READER, dnsReads.roleOf(client));
        assertEquals(Role.NONE, AccessPolicy.of(List.of(), List.of(new IdentityPattern("x"))).roleOf(client));
        assertEquals(Role.OPERATOR, AccessPolicy.everyoneAnOperator().roleOf(client));
        assertEquals("spiffe://abiquo/monitor", client.primary());
    }

    @Test
    void readersMayNotCallOperatorsMethodsAndHealthIsOpenToAll() {
        ClientIdentity reader = new ClientIdentity(List.of("CN=nagios"));
        AccessPolicy policy = AccessPolicy.of(List.of(new IdentityPattern("CN=nagios")), List.of());
        assertTrue(AuthorizationInterceptor.refusal("abiquo.aim.v1.LibvirtService/ListDomains", reader, policy)
                .isEmpty());
        assertEquals("ROLE_REQUIRED", AuthorizationInterceptor.refusal("abiquo.aim.v1.VlanService/DeleteVlan",
                reader, policy).orElseThrow().reason().name());
        ClientIdentity nobody = new ClientIdentity(List.of("CN=x"));
        assertTrue(AuthorizationInterceptor.refusal("grpc.health.v1.Health/Watch", nobody, policy).isEmpty());
        assertEquals("METHOD_NOT_CLASSIFIED", AuthorizationInterceptor.refusal("abiquo.aim.v1.VlanService/Nuke",
                reader, AccessPolicy.everyoneAnOperator()).orElseThrow().reason().name());
    }

    @Test
    void withoutTheSectionEveryClientOperatesAndTheSectionNeedsMutualTls() throws Exception {
        assertTrue(AuthorizationSettings.from(AimSettings.empty(), true).everyoneOperates());
        // the shipped aim.ini has the header with every key commented out: that asks for no roles
        AimSettings bareHeader = AimSettingsReader.read("aim.ini", new StringReader("[authorization]\n;readers =\n"));
        assertTrue(AuthorizationSettings.from(bareHeader, false).everyoneOperates());
        AimSettings nobody = AimSettingsReader.read("aim.ini", new StringReader("[authorization]\noperators =\n"));
        assertEquals(AccessPolicy.of(List.of(), List.of()), AuthorizationSettings.from(nobody, true));
        AimSettings roles = AimSettingsReader.read("aim.ini", new StringReader(
                "[authorization]\nreaders = CN=a\\,O=b, *.monitor\noperators = spiffe://x\n"));
        AccessPolicy policy = AuthorizationSettings.from(roles, true);
        assertEquals(List.of(new IdentityPattern("CN=a,O=b"), new IdentityPattern("*.monitor")), policy.readers());
        assertFalse(policy.everyoneOperates());
        ConfigException refused = assertThrows(ConfigException.class, () -> AuthorizationSettings.from(roles, false));
        assertTrue(refused.getMessage().contains("tlsClientCa"), refused.getMessage());
    }
}
