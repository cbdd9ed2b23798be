package com.abiquo.aim.libvirt.events.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.abiquo.aim.core.module.NodeIdentity;
import com.abiquo.aim.v1.EventsMonitorServiceGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The re-bound service must look exactly like the generated one to clients and to server reflection. */
class PreEncodedSubscribeTest {
    private final ServerServiceDefinition bound =
            new EventsMonitorGrpcService(() -> null, new NodeIdentity("node-1", "192.0.2.10")).bindService();

    @Test
    void everyGeneratedMethodIsBoundUnderItsNameAndTypeWithTheSameSchema() {
        ServiceDescriptor generated = EventsMonitorServiceGrpc.getServiceDescriptor();
        ServiceDescriptor descriptor = bound.getServiceDescriptor();
        assertEquals(generated.getName(), descriptor.getName());
        assertSame(generated.getSchemaDescriptor(), descriptor.getSchemaDescriptor(), "what reflection serves");
        assertEquals(names(generated), names(descriptor));
        for (MethodDescriptor<?, ?> method : generated.getMethods()) {
            MethodDescriptor<?, ?> served = bound.getMethod(method.getFullMethodName()).getMethodDescriptor();
            assertEquals(method.getType(), served.getType(), method.getFullMethodName());
        }
    }

    private static List<String> names(ServiceDescriptor descriptor) {
        return descriptor.getMethods().stream().map(MethodDescriptor::getFullMethodName).sorted().toList();
    }
}
