package com.abiquo.aim.server.logging;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Core;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginAttribute;
import org.apache.logging.log4j.core.config.plugins.PluginElement;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Logs to the local syslog through libc's openlog/syslog (the /dev/log socket), like the original AIM: rsyslog
 * files it under the facility and the ident ("abiquo-aim[pid]"), journald as SYSLOG_IDENTIFIER. log4j2's own Syslog
 * appender only speaks UDP/TCP, which a default rsyslog does not listen on; Java cannot open /dev/log (a unix
 * datagram socket) itself, hence JNA, which AIM already ships for libvirt.
 */
@Plugin(name = "LocalSyslog", category = Core.CATEGORY_NAME, elementType = Appender.ELEMENT_TYPE, printObject = true)
public final class LocalSyslogAppender extends AbstractAppender {
    private static final int LOG_PID = 0x01;
    private static final int LOG_NDELAY = 0x08;

    /** The part of libc this appender uses. */
    public interface CLibrary extends Library {
        void openlog(Pointer ident, int option, int facility);

        void syslog(int priority, String format, Object... arguments);

        void closelog();
    }

    /**
     * openlog's ident is one per process: appenders with different idents (abiquo-aim, abiquo-aim-audit) take turns
     * under this lock, each setting its own ident before it logs.
     */
    private static final Object SYSLOG = new Object();
    private static Memory currentIdent;

    private final int facility;
    private final Memory ident;
    private volatile CLibrary libc;

    private LocalSyslogAppender(String name, Filter filter, Layout<? extends Serializable> layout, String ident,
            int facility) {
        super(name, filter, layout, true, Property.EMPTY_ARRAY);
        this.facility = facility;
        // openlog keeps the pointer: the string must live as long as the appender
        byte[] bytes = ident.getBytes(StandardCharsets.UTF_8);
        this.ident = new Memory(bytes.length + 1L);
        this.ident.write(0, bytes, 0, bytes.length);
        this.ident.setByte(bytes.length, (byte) 0);
    }

    @PluginFactory
    public static LocalSyslogAppender create(
            @PluginAttribute("name") String name,
            @PluginAttribute(value = "ident", defaultString = "abiquo-aim") String ident,
            @PluginAttribute(value = "facility", defaultString = "DAEMON") String facility,
            @PluginElement("Layout") Layout<? extends Serializable> layout,
            @PluginElement("Filter") Filter filter) {
        Layout<? extends Serializable> chosen = layout != null ? layout
                : PatternLayout.newBuilder().withPattern("%m%throwable{short}").build();
        return new LocalSyslogAppender(name == null ? "localSyslog" : name, filter, chosen, ident,
                facilityCode(facility));
    }

    /** Facility codes of syslog.h, already shifted (LOG_DAEMON = 3 << 3). */
    static int facilityCode(String facility) {
        return switch (facility.toUpperCase(Locale.ROOT)) {
            case "KERN" -> 0;
            case "USER" -> 1 << 3;
            case "DAEMON" -> 3 << 3;
            case "LOCAL0" -> 16 << 3;
            case "LOCAL1" -> 17 << 3;
            case "LOCAL2" -> 18 << 3;
            case "LOCAL3" -> 19 << 3;
            case "LOCAL4" -> 20 << 3;
            case "LOCAL5" -> 21 << 3;
            case "LOCAL6" -> 22 << 3;
            case "LOCAL7" -> 23 << 3;
            default -> throw new IllegalArgumentException("unknown syslog facility " + facility
                    + "; accepted: DAEMON, USER, KERN, LOCAL0 to LOCAL7");
        };
    }

    /** syslog severities: 2 critical, 3 error, 4 warning, 6 informational, 7 debug. */
    static int severity(Level level) {
        if (level.isMoreSpecificThan(Level.FATAL)) {
            return 2;
        }
        if (level.isMoreSpecificThan(Level.ERROR)) {
            return 3;
        }
        if (level.isMoreSpecificThan(Level.WARN)) {
            return 4;
        }
        if (level.isMoreSpecificThan(Level.INFO)) {
            return 6;
        }
        return 7;
    }

    @Override
    public void start() {
        try {
            CLibrary loaded = Native.load("c", CLibrary.class);
            synchronized (SYSLOG) {
                loaded.openlog(ident, LOG_PID | LOG_NDELAY, facility);
                currentIdent = ident;
            }
            libc = loaded;
        } catch (UnsatisfiedLinkError | RuntimeException unavailable) {
            error("local syslog unavailable (libc not loadable through JNA): " + unavailable);
        }
        super.start();
    }

    @Override
    public void append(LogEvent event) {
        CLibrary target = libc;
        if (target == null) {
            return;
        }
        String text = new String(getLayout().toByteArray(event), StandardCharsets.UTF_8).stripTrailing();
        synchronized (SYSLOG) {
            if (currentIdent != ident) {
                target.openlog(ident, LOG_PID | LOG_NDELAY, facility);
                currentIdent = ident;
            }
            target.syslog(facility | severity(event.getLevel()), "%s", text);
        }
    }

    @Override
    public boolean stop(long timeout, java.util.concurrent.TimeUnit timeUnit) {
        CLibrary target = libc;
        libc = null;
        if (target != null) {
            synchronized (SYSLOG) {
                if (currentIdent == ident) {
                    // the other appender, if still running, opens the log again with its ident when it next logs
                    target.closelog();
                    currentIdent = null;
                }
            }
        }
        return super.stop(timeout, timeUnit);
    }
}
