package com.abiquo.aim.libvirt.connection;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * Every domain of a connection, running and defined, read once each. libvirt-java lists them in separate calls
 * (it lacks virConnectListAllDomains), so a domain can appear twice (read once, by uuid), vanish before it is read
 * (left out), or start between the calls (caught by listing the running ones again). Each
 * native handle is freed as soon as it is read, also when a read fails.
 */
public final class DomainListing {
    /** Reads what the caller needs from one domain. */
    public interface Reader<T> {
        T read(Domain domain) throws LibvirtException;
    }

    private interface Lookup {
        Domain find() throws LibvirtException;
    }

    private DomainListing() {
    }

    public static <T> List<T> readAll(Connect connect, Reader<T> reader) throws LibvirtException {
        List<T> results = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int id : connect.listDomains()) {
            readOne(() -> connect.domainLookupByID(id), reader, seen, results);
        }
        for (String name : connect.listDefinedDomains()) {
            readOne(() -> connect.domainLookupByName(name), reader, seen, results);
        }
        // A domain started between the two calls above is in neither; the running ones once more catch it.
        for (int id : connect.listDomains()) {
            readOne(() -> connect.domainLookupByID(id), reader, seen, results);
        }
        return results;
    }

    private static <T> void readOne(Lookup lookup, Reader<T> reader, Set<String> seen, List<T> results)
            throws LibvirtException {
        Domain domain;
        try {
            domain = lookup.find();
        } catch (LibvirtException failure) {
            rethrowUnlessGone(failure);
            return;
        }
        try {
            if (seen.add(domain.getUUIDString())) {
                results.add(reader.read(domain));
            }
        } catch (LibvirtException failure) {
            // Reads (and keeps with the exception) its true error before the free below resets it.
            rethrowUnlessGone(failure);
        } finally {
            Handles.free(domain);
        }
    }

    /** A domain undefined between the listing and its lookup or read is not part of the answer. */
    private static void rethrowUnlessGone(LibvirtException failure) throws LibvirtException {
        if (LibvirtErrors.trueError(failure).code() != LibvirtErrors.NO_DOMAIN) {
            throw failure;
        }
    }
}
