package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.CoreErrorReason;
import com.abiquo.aim.core.error.ErrorReason;
import com.abiquo.aim.libvirt.LibvirtErrorReason;
import com.abiquo.aim.libvirt.connection.LibvirtCodeReason;
import com.abiquo.aim.network.VlanErrorReason;
import com.abiquo.aim.rimp.RimpErrorReason;
import com.abiquo.aim.storage.StorageErrorReason;
import com.abiquo.aim.v1.CommonProto;
import com.abiquo.aim.v1.EventsProto;
import com.abiquo.aim.v1.LibvirtProto;
import com.abiquo.aim.v1.NodeProto;
import com.abiquo.aim.v1.RimpProto;
import com.abiquo.aim.v1.StorageProto;
import com.abiquo.aim.v1.VlanProto;
import com.google.protobuf.Descriptors.FileDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The protos are the catalogue of error reasons (issue 11): every reason the code can raise is a value of a
 * documented {@code ...ErrorReason} enum in aim-proto, and every value there is still raised (or retired, marked
 * deprecated). Reasons reach ErrorInfo only through {@link ErrorReason} (the type system) and GrpcErrors (the scan).
 */
class ErrorReasonCatalogueTest {
    private static final List<FileDescriptor> PROTOS = List.of(CommonProto.getDescriptor(),
            LibvirtProto.getDescriptor(), EventsProto.getDescriptor(), VlanProto.getDescriptor(),
            StorageProto.getDescriptor(), RimpProto.getDescriptor(), NodeProto.getDescriptor());

    /** Reasons retired for one reason per condition, and what the agent sends instead. */
    private static final Map<String, String> RETIRED = Map.of("FILE_NOT_FOUND", "PATH_NOT_FOUND",
            "SOURCE_NOT_FOUND", "PATH_NOT_FOUND", "INVALID_SIZE", "SIZE_INVALID", "CAPACITY_INVALID", "SIZE_INVALID",
            "INVALID_POOL_TYPE", "POOL_TYPE_INVALID");

    /** Every reason the code can raise: each module's enum and libvirt's codes. */
    private static Set<String> raisable() {
        Set<String> names = new TreeSet<>();
        Stream.<List<? extends ErrorReason>>of(List.of(CoreErrorReason.values()), List.of(LibvirtErrorReason.values()),
                        List.of(VlanErrorReason.values()), List.of(StorageErrorReason.values()),
                        List.of(RimpErrorReason.values()), List.of(ServerErrorReason.values()), LibvirtCodeReason.all())
                .flatMap(List::stream)
                .forEach(reason -> assertTrue(names.add(reason.name()), reason.name() + " is in two module enums"));
        return names;
    }

    /** Reason name -> proto enum, for the values of every {@code ...ErrorReason} enum; deprecated ones apart. */
    private static TreeMap<String, String> catalogue(boolean deprecated) {
        TreeMap<String, String> values = new TreeMap<>();
        PROTOS.stream().flatMap(file -> file.getEnumTypes().stream())
                .filter(type -> type.getName().endsWith("ErrorReason"))
                .forEach(type -> type.getValues().stream()
                        .filter(value -> value.getNumber() != 0)
                        .filter(value -> value.getOptions().getDeprecated() == deprecated)
                        .forEach(value -> values.put(value.getName(), type.getName())));
        return values;
    }

    @Test
    void everyReasonTheCodeRaisesIsInTheProtos() {
        Set<String> missing = new TreeSet<>(raisable());
        missing.removeAll(catalogue(false).keySet());
        assertEquals(Set.of(), missing, "reasons the code raises that no ...ErrorReason enum in aim-proto lists");
    }

    @Test
    void everyReasonInTheProtosIsRaisedOrRetired() {
        Set<String> stale = new TreeSet<>(catalogue(false).keySet());
        stale.removeAll(raisable());
        assertEquals(Set.of(), stale, "listed as current in the protos but raised nowhere: mark them retired "
                + "(deprecated = true, naming the replacement)");
    }

    @Test
    void retiredReasonsStayDocumentedAndTheirReplacementsAreCurrent() {
        assertEquals(RETIRED.keySet(), catalogue(true).keySet(), "retired reasons (deprecated values)");
        RETIRED.forEach((retired, replacement) -> {
            assertTrue(catalogue(false).containsKey(replacement), retired + " -> " + replacement);
            assertTrue(!raisable().contains(retired), retired + " is retired but still raised");
        });
    }

    @Test
    void onlyGrpcErrorsBuildsAnErrorInfo() throws IOException {
        List<String> offenders = new ArrayList<>();
        for (String module : List.of("aim-core", "aim-libvirt", "aim-network", "aim-storage", "aim-rimp",
                "aim-eventbus", "aim-server")) {
            Path sources = Tools.projectRoot().resolve(module).resolve("src/main/java");
            try (Stream<Path> files = Files.walk(sources)) {
                for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
                    String text = Files.readString(file);
                    if (text.contains("com.google.rpc.ErrorInfo")
                            && !file.endsWith("com/abiquo/aim/core/error/GrpcErrors.java")) {
                        offenders.add(Tools.projectRoot().relativize(file).toString());
                    }
                }
            }
        }
        assertEquals(List.of(), offenders, "ErrorInfo built outside GrpcErrors (raise an AimException instead)");
    }
}
