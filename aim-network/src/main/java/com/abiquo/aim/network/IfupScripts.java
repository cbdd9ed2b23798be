package com.abiquo.aim.network;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;

/**
 * The distribution's ifup/ifdown ([vlan] useIfup), run inside the namespace on one ifcfg file. When they are off,
 * create and delete use iproute2 alone.
 */
final class IfupScripts {
    private final IpTool ip;
    private final VlanManager.Ifup ifup;

    IfupScripts(IpTool ip, VlanManager.Ifup ifup) {
        this.ip = requireNonNull(ip, "ip is null");
        this.ifup = requireNonNull(ifup, "ifup is null");
    }

    boolean enabled() {
        return ifup.enabled();
    }

    void up(String fileName) throws AimException {
        ip.runProgram("ifup " + fileName, VlanErrorReason.IFUP_STEP_FAILED, ifup.ifupProgram(), fileName);
    }

    void down(String fileName) throws AimException {
        ip.runProgram("ifdown " + fileName, VlanErrorReason.IFDOWN_STEP_FAILED, ifup.ifdownProgram(), fileName);
    }
}
