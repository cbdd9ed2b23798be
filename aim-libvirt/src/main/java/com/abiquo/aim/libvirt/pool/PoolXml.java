package com.abiquo.aim.libvirt.pool;

import com.abiquo.aim.core.spi.StoragePoolOperations.PoolSpec;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolType;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * libvirt pool, volume and secret XML: written with an XML writer (every value escaped, never concatenated) and read
 * with a DOM parser that refuses DTDs.
 */
final class PoolXml {
    static final String DEFAULT_ISCSI_TARGET_PATH = "/dev/disk/by-path";
    /**
     * The one mapping between AIM's pool types and libvirt's {@code <pool type=...>}, read both ways. A new
     * {@link PoolType} needs its row here (PoolXmlTest checks every one has one).
     */
    private static final Map<PoolType, String> LIBVIRT_TYPES = Map.of(
            PoolType.DIR, "dir",
            PoolType.NETFS, "netfs",
            PoolType.ISCSI, "iscsi",
            PoolType.ISCSI_DIRECT, "iscsi-direct");

    /** What AIM needs to know of an existing pool's definition. */
    record Definition(String type, String name, String uuid, String sourceHost, int sourcePort, String device,
                      String sourceDir, String targetPath, String initiatorIqn, String authUsage,
                      String authUsername, String authSecretUuid) {
        /** The AIM type of this pool; empty for the libvirt types AIM does not handle (logical, rbd, ...). */
        Optional<PoolType> poolType() {
            return LIBVIRT_TYPES.entrySet().stream().filter(entry -> entry.getValue().equals(type))
                    .map(Map.Entry::getKey).findFirst();
        }

        /** Whether the pool logs in with CHAP (or any other auth libvirt knows). */
        boolean hasAuth() {
            return !authUsername.isEmpty() || !authUsage.isEmpty() || !authSecretUuid.isEmpty();
        }

        /** The iSCSI target IQN, or the NFS export; empty for dir pools. */
        String source() {
            return !device.isEmpty() ? device : sourceDir;
        }
    }

    private PoolXml() {
    }

    static String libvirtType(PoolType type) {
        String libvirtType = LIBVIRT_TYPES.get(type);
        if (libvirtType == null) {
            throw new IllegalArgumentException("pool type " + type + " has no libvirt type in PoolXml.LIBVIRT_TYPES");
        }
        return libvirtType;
    }

    /** @param chapUsage usage id of the libvirt secret holding the CHAP password, when the pool uses CHAP */
    static String pool(PoolSpec spec, String name, Optional<String> chapUsage) {
        return write(xml -> {
            xml.writeStartElement("pool");
            xml.writeAttribute("type", libvirtType(spec.type()));
            element(xml, "name", name);
            switch (spec.type()) {
                case DIR -> target(xml, spec.targetPath());
                case NETFS -> {
                    xml.writeStartElement("source");
                    empty(xml, "host", "name", spec.sourceHost());
                    empty(xml, "dir", "path", spec.sourceDir());
                    empty(xml, "format", "type", "nfs");
                    xml.writeEndElement();
                    target(xml, spec.targetPath());
                }
                case ISCSI, ISCSI_DIRECT -> {
                    xml.writeStartElement("source");
                    xml.writeEmptyElement("host");
                    xml.writeAttribute("name", spec.sourceHost());
                    xml.writeAttribute("port", Integer.toString(spec.sourcePort()));
                    empty(xml, "device", "path", spec.sourceTarget());
                    if (spec.initiatorIqn() != null && !spec.initiatorIqn().isEmpty()) {
                        xml.writeStartElement("initiator");
                        empty(xml, "iqn", "name", spec.initiatorIqn());
                        xml.writeEndElement();
                    }
                    if (chapUsage.isPresent() && spec.chap().isPresent()) {
                        xml.writeStartElement("auth");
                        xml.writeAttribute("type", "chap");
                        xml.writeAttribute("username", spec.chap().get().username());
                        empty(xml, "secret", "usage", chapUsage.get());
                        xml.writeEndElement();
                    }
                    xml.writeEndElement();
                    if (spec.type() == PoolType.ISCSI) {
                        target(xml, spec.targetPath() == null || spec.targetPath().isEmpty()
                                ? DEFAULT_ISCSI_TARGET_PATH : spec.targetPath());
                    }
                }
                default -> throw new IllegalArgumentException("pool type " + spec.type());
            }
            xml.writeEndElement();
        });
    }

    static String volume(String name, long capacityBytes, long allocationBytes, String format) {
        return write(xml -> {
            xml.writeStartElement("volume");
            element(xml, "name", name);
            xml.writeStartElement("capacity");
            xml.writeAttribute("unit", "bytes");
            xml.writeCharacters(Long.toString(capacityBytes));
            xml.writeEndElement();
            xml.writeStartElement("allocation");
            xml.writeAttribute("unit", "bytes");
            xml.writeCharacters(Long.toString(allocationBytes));
            xml.writeEndElement();
            xml.writeStartElement("target");
            empty(xml, "format", "type", format);
            xml.writeEndElement();
            xml.writeEndElement();
        });
    }

    /** A private, persistent (or ephemeral) secret of usage type iscsi for a CHAP password. */
    static String chapSecret(String usage, String description, boolean ephemeral) {
        return write(xml -> {
            xml.writeStartElement("secret");
            xml.writeAttribute("ephemeral", ephemeral ? "yes" : "no");
            xml.writeAttribute("private", "yes");
            element(xml, "description", description);
            xml.writeStartElement("usage");
            xml.writeAttribute("type", "iscsi");
            element(xml, "target", usage);
            xml.writeEndElement();
            xml.writeEndElement();
        });
    }

    static Definition parsePool(String xml) {
        Element pool = parse(xml).getDocumentElement();
        Element source = child(pool, "source");
        Element host = child(source, "host");
        Element initiator = child(source, "initiator");
        Element auth = child(source, "auth");
        String port = attribute(host, "port");
        return new Definition(attribute(pool, "type"), text(child(pool, "name")), text(child(pool, "uuid")),
                attribute(host, "name"), port.isEmpty() ? 0 : Integer.parseInt(port),
                attribute(child(source, "device"), "path"), attribute(child(source, "dir"), "path"),
                text(child(child(pool, "target"), "path")), attribute(child(initiator, "iqn"), "name"),
                attribute(child(auth, "secret"), "usage"), attribute(auth, "username"),
                attribute(child(auth, "secret"), "uuid"));
    }

    /**
     * Where one disk of a domain comes from: a host path (file, block device or folder) or a pool volume; empty
     * strings for what it does not have.
     */
    record DiskSource(String target, String path, String pool, String volume) {
    }

    /** The sources of a domain's disks (its {@code <devices><disk>} elements), in document order. */
    static List<DiskSource> parseDiskSources(String domainXml) {
        List<DiskSource> disks = new ArrayList<>();
        Element devices = child(parse(domainXml).getDocumentElement(), "devices");
        if (devices == null) {
            return disks;
        }
        NodeList children = devices.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element disk && disk.getTagName().equals("disk")) {
                Element source = child(disk, "source");
                String path = attribute(source, "file");
                if (path.isEmpty()) {
                    path = attribute(source, "dev");
                }
                if (path.isEmpty()) {
                    path = attribute(source, "dir");
                }
                disks.add(new DiskSource(attribute(child(disk, "target"), "dev"), path, attribute(source, "pool"),
                        attribute(source, "volume")));
            }
        }
        return disks;
    }

    /** A volume's format ("raw", "qcow2", ...; empty when libvirt gives none) and sizes in bytes. */
    record VolumeDefinition(String name, String key, String path, String format, long capacityBytes,
                            long allocationBytes) {
    }

    /**
     * Reads a volume's XML: one libvirt call for everything AIM reports. Also avoids virStorageVolGetInfo, where
     * libvirt-java asserts on volume types it does not know (iscsi-direct LUNs are "network" volumes) under -ea.
     */
    static VolumeDefinition parseVolume(String xml) {
        Element volume = parse(xml).getDocumentElement();
        Element target = child(volume, "target");
        return new VolumeDefinition(text(child(volume, "name")), text(child(volume, "key")),
                text(child(target, "path")), attribute(child(target, "format"), "type").toLowerCase(Locale.ROOT),
                bytes(child(volume, "capacity")), bytes(child(volume, "allocation")));
    }

    private static long bytes(Element size) {
        if (size == null || size.getTextContent().isBlank()) {
            return 0;
        }
        long value = Long.parseLong(size.getTextContent().strip());
        String unit = size.getAttribute("unit");
        return switch (unit.isEmpty() ? "bytes" : unit) {
            case "bytes", "b", "B" -> value;
            case "KiB", "K", "k" -> value << 10;
            case "MiB", "M" -> value << 20;
            case "GiB", "G" -> value << 30;
            case "TiB", "T" -> value << 40;
            default -> throw new IllegalStateException("libvirt gave a size in an unknown unit: " + unit);
        };
    }

    private interface Body {
        void write(XMLStreamWriter xml) throws XMLStreamException;
    }

    private static String write(Body body) {
        StringWriter text = new StringWriter();
        try {
            XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(text);
            body.write(xml);
            xml.flush();
            xml.close();
        } catch (XMLStreamException impossible) {
            throw new IllegalStateException("cannot write XML to a string", impossible);
        }
        return text.toString();
    }

    private static void element(XMLStreamWriter xml, String name, String value) throws XMLStreamException {
        xml.writeStartElement(name);
        xml.writeCharacters(value);
        xml.writeEndElement();
    }

    private static void empty(XMLStreamWriter xml, String name, String attribute, String value)
            throws XMLStreamException {
        xml.writeEmptyElement(name);
        xml.writeAttribute(attribute, value);
    }

    private static void target(XMLStreamWriter xml, String path) throws XMLStreamException {
        xml.writeStartElement("target");
        element(xml, "path", path);
        xml.writeEndElement();
    }

    private static Document parse(String xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setExpandEntityReferences(false);
            return factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
        } catch (ParserConfigurationException | SAXException | IOException failure) {
            throw new IllegalStateException("libvirt returned XML that cannot be parsed: " + failure.getMessage(),
                    failure);
        }
    }

    private static Element child(Element parent, String name) {
        if (parent == null) {
            return null;
        }
        NodeList children = parent.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            Node node = children.item(i);
            if (node instanceof Element element && element.getTagName().equals(name)) {
                return element;
            }
        }
        return null;
    }

    private static String attribute(Element element, String name) {
        return element == null ? "" : element.getAttribute(name);
    }

    private static String text(Element element) {
        return element == null ? "" : element.getTextContent().strip();
    }
}
