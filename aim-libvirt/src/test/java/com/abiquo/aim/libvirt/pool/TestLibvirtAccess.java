package com.abiquo.aim.libvirt.pool;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.libvirt.connection.ConnectionSettings;
import com.abiquo.aim.libvirt.connection.LibvirtAccess;
import com.abiquo.aim.libvirt.connection.LibvirtConnection;
import com.abiquo.aim.testing.RecordingHealth;
import java.time.Duration;
import org.libvirt.Connect;

/**
 * Test fixture: the production {@link LibvirtConnection} to a real libvirt (so failures are mapped exactly as in the
 * agent, by LibvirtErrors), and its {@code Connect} for the test's own set-up and checks (libvirt's test driver keeps
 * its state per connection, so they must share it).
 */
public final class TestLibvirtAccess implements LibvirtAccess, AutoCloseable {
    private final LibvirtConnection connection;

    public TestLibvirtAccess(String uri) {
        connection = new LibvirtConnection(ConnectionSettings.of(uri), new RecordingHealth());
        connection.start(Duration.ofSeconds(30));
        if (!connection.connected()) {
            connection.close();
            throw new IllegalStateException("no libvirt at " + uri + ": " + connection.lastFailure());
        }
    }

    public static TestLibvirtAccess system() {
        return new TestLibvirtAccess("qemu:///system");
    }

    /** The connection's Connect, for set-up and checks; it stays valid while this fixture is open. */
    public Connect connect() throws AimException {
        return connection.call(connect -> connect);
    }

    @Override
    public <T> T call(LibvirtCall<T> call) throws AimException {
        return connection.call(call);
    }

    @Override
    public boolean connected() {
        return connection.connected();
    }

    @Override
    public String uri() {
        return connection.uri();
    }

    @Override
    public void close() {
        connection.close();
    }
}
