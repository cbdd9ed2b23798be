package com.abiquo.aim.libvirt.domain;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.libvirt.LibvirtErrorReason;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Reads what AIM needs from libvirt XML (a domain's name and uuid, its disks and interfaces; the host CPU model)
 * with a parser that refuses DTDs and external entities: the XML comes from clients.
 */
public final class DomainXml {
    /** A disk of a domain: its target device in the guest and the source on the host (path, or pool/volume). */
    public record Disk(String target, String source, String device) {
    }

    /** A network interface of a domain: its host-side device (e.g. vnet0, empty when not running) and MAC. */
    public record Interface(String target, String mac) {
    }

    /** The name and (optional) uuid a domain XML declares. */
    public record Identity(String name, Optional<String> uuid) {
    }

    /** The JDK's default handler prints "[Fatal Error]" lines to stderr; failures reach us as exceptions anyway. */
    private static final ErrorHandler SILENT = new ErrorHandler() {
        @Override
        public void warning(SAXParseException exception) {
        }

        @Override
        public void error(SAXParseException exception) throws SAXException {
            throw exception;
        }

        @Override
        public void fatalError(SAXParseException exception) throws SAXException {
            throw exception;
        }
    };

    private DomainXml() {
    }

    public static Document parse(String xml, String what) throws AimException {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            factory.setNamespaceAware(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(SILENT);
            return builder.parse(new InputSource(new StringReader(xml)));
        } catch (SAXException malformed) {
            throw AimException.invalidArgument(LibvirtErrorReason.MALFORMED_XML, what + " is not well-formed XML: "
                    + malformed.getMessage());
        } catch (ParserConfigurationException | IOException unexpected) {
            throw AimException.internal(LibvirtErrorReason.XML_PARSER, "cannot parse " + what, unexpected);
        }
    }

    /** The name and uuid of a client's domain XML; INVALID_ARGUMENT when it is no domain or has no name. */
    public static Identity identity(String xml) throws AimException {
        Element root = parse(xml, "xml").getDocumentElement();
        if (!"domain".equals(root.getTagName())) {
            throw AimException.invalidArgument(LibvirtErrorReason.NOT_A_DOMAIN_XML,
                    "xml: the root element is <" + root.getTagName() + ">, expected <domain>");
        }
        String name = childText(root, "name").orElse("").strip();
        if (name.isEmpty()) {
            throw AimException.invalidArgument(LibvirtErrorReason.DOMAIN_NAME_MISSING, "xml: the domain has no <name>");
        }
        DomainSelector.checkName(name, "xml <name>");
        Optional<String> uuid = childText(root, "uuid").map(String::strip).filter(text -> !text.isEmpty());
        return new Identity(name, uuid);
    }

    /** The disks of a domain XML from libvirt (the live XML names the images libvirt really uses). */
    public static List<Disk> disks(Document document) {
        List<Disk> disks = new ArrayList<>();
        for (Element disk : devices(document, "disk")) {
            Optional<Element> target = child(disk, "target");
            String dev = target.map(element -> element.getAttribute("dev")).orElse("");
            if (dev.isEmpty()) {
                continue;
            }
            String source = child(disk, "source").map(DomainXml::sourceOf).orElse("");
            disks.add(new Disk(dev, source, disk.getAttribute("device")));
        }
        return disks;
    }

    public static List<Interface> interfaces(Document document) {
        List<Interface> interfaces = new ArrayList<>();
        for (Element nic : devices(document, "interface")) {
            String target = child(nic, "target").map(element -> element.getAttribute("dev")).orElse("");
            String mac = child(nic, "mac").map(element -> element.getAttribute("address")).orElse("");
            interfaces.add(new Interface(target, mac));
        }
        return interfaces;
    }

    /** /capabilities/host/cpu/model, when libvirt names the host CPU. */
    public static Optional<String> hostCpuModel(String capabilitiesXml) throws AimException {
        Element root = parse(capabilitiesXml, "libvirt's capabilities").getDocumentElement();
        return child(root, "host").flatMap(host -> child(host, "cpu")).flatMap(cpu -> childText(cpu, "model"))
                .map(String::strip).filter(model -> !model.isEmpty());
    }

    private static String sourceOf(Element source) {
        for (String attribute : List.of("file", "dev", "dir", "name")) {
            if (source.hasAttribute(attribute)) {
                return source.getAttribute(attribute);
            }
        }
        if (source.hasAttribute("pool") && source.hasAttribute("volume")) {
            return source.getAttribute("pool") + "/" + source.getAttribute("volume");
        }
        return "";
    }

    private static List<Element> devices(Document document, String kind) {
        List<Element> found = new ArrayList<>();
        Optional<Element> devices = child(document.getDocumentElement(), "devices");
        if (devices.isEmpty()) {
            return found;
        }
        NodeList children = devices.get().getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            Node node = children.item(i);
            if (node instanceof Element element && element.getTagName().equals(kind)) {
                found.add(element);
            }
        }
        return found;
    }

    private static Optional<Element> child(Element parent, String name) {
        NodeList children = parent.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            Node node = children.item(i);
            if (node instanceof Element element && element.getTagName().equals(name)) {
                return Optional.of(element);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> childText(Element parent, String name) {
        return child(parent, name).map(Element::getTextContent);
    }
}
