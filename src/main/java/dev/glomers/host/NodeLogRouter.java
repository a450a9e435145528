package dev.glomers.host;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Sends each node's log lines to its own client's stderr, and everything else (the host's own
 * lines) to the appenders logback.xml configured, which in the host write to its log file.
 *
 * <p>A line belongs to a node when the logging thread carries the node's name in the MDC under
 * {@link #NODE_KEY}: the host's connection thread sets it, and so do all threads made by the node's
 * thread factory (its event loop and writer).
 */
public final class NodeLogRouter extends UnsynchronizedAppenderBase<ILoggingEvent> {

    public static final String NODE_KEY = "glomers.node";
    private static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n";

    private final Map<String, Consumer<byte[]>> sinks = new ConcurrentHashMap<>();
    private final List<Appender<ILoggingEvent>> hostAppenders = new ArrayList<>();
    private final PatternLayout layout = new PatternLayout();
    private Logger root;

    /** Puts the router in front of the root logger's appenders. */
    public static NodeLogRouter install() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        NodeLogRouter router = new NodeLogRouter();
        router.setContext(context);
        router.setName("node-router");
        router.layout.setContext(context);
        router.layout.setPattern(PATTERN);
        router.layout.start();
        router.root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        for (Iterator<Appender<ILoggingEvent>> it = router.root.iteratorForAppenders(); it.hasNext(); ) {
            router.hostAppenders.add(it.next());
        }
        router.start();
        router.root.addAppender(router);
        router.hostAppenders.forEach(router.root::detachAppender);
        return router;
    }

    /** Puts the root logger back as it was. */
    public void uninstall() {
        hostAppenders.forEach(root::addAppender);
        root.detachAppender(this);
        stop();
    }

    /** From now on, lines logged by threads tagged {@code node} go to {@code sink}. */
    public void attach(String node, Consumer<byte[]> sink) {
        sinks.put(node, sink);
    }

    public void detach(String node) {
        sinks.remove(node);
    }

    /** Tags the calling thread as working for {@code node}. */
    public static void tagThread(String node) {
        MDC.put(NODE_KEY, node);
    }

    @Override
    protected void append(ILoggingEvent event) {
        String node = event.getMDCPropertyMap().get(NODE_KEY);
        Consumer<byte[]> sink = node == null ? null : sinks.get(node);
        if (sink == null) {
            hostAppenders.forEach(appender -> appender.doAppend(event));
            return;
        }
        try {
            sink.accept(layout.doLayout(event).getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException clientGone) {
            // the node's client is gone; its node is being closed, and its lines have nowhere to go
        }
    }
}
