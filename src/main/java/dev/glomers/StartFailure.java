package dev.glomers;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.core.convert.ConversionException;

/**
 * A node that cannot start says why in one line. Spring's own report of a failed start (a warning,
 * a framed "APPLICATION FAILED TO START", a stack trace) is switched off; the standalone node and
 * the node host report instead: one line for a mistake on the command line (no workload among the
 * profiles, a setting out of range or of the wrong type), the whole trace for anything else, which
 * is a bug of ours.
 */
public final class StartFailure {

    private StartFailure() {
    }

    /** Switches Spring's reports of a failed start off; call before starting a context. Idempotent. */
    public static void takeOverReporting() {
        for (String name : new String[] {
                "org.springframework.boot.SpringApplication",
                "org.springframework.boot.diagnostics",
                "org.springframework.context.annotation.AnnotationConfigApplicationContext"}) {
            if (LoggerFactory.getLogger(name) instanceof Logger logger) {
                logger.setLevel(Level.OFF);
            }
        }
    }

    /** A mistake of whoever started the node, rather than a fault of the node. */
    public static boolean isUsageMistake(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof BindException || cause instanceof TypeMismatchException
                    || cause instanceof ConversionException || isNoWorkload(cause)) {
                return true;
            }
        }
        return false;
    }

    /** One line: what was wrong, without the layers Spring wrapped around it. */
    public static String describe(Throwable failure) {
        Throwable cause = failure;
        String setting = null;
        while (cause.getCause() != null && cause.getCause() != cause) {
            if (cause instanceof BindException bind) {
                setting = bind.getName().toString();
            }
            cause = cause.getCause();
        }
        String what = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        TypeMismatchException mismatch = find(failure, TypeMismatchException.class);
        if (mismatch != null && mismatch.getRequiredType() != null) {
            what = "cannot read [" + mismatch.getValue() + "] as a " + mismatch.getRequiredType().getSimpleName()
                    + " (" + what + ")";
        }
        if (setting != null && !what.contains(setting)) {
            return "bad setting " + setting + ": " + what;
        }
        if (isUsageMistake(failure) && !isNoWorkload(cause)) {
            return "bad setting: " + what;
        }
        return isUsageMistake(failure) ? what : "the node failed to start: " + what;
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }

    /** {@link NodeApplication#requireWorkload} refused: no profile names a workload. */
    private static boolean isNoWorkload(Throwable cause) {
        if (!(cause instanceof IllegalStateException)) {
            return false;
        }
        for (StackTraceElement frame : cause.getStackTrace()) {
            if (frame.getClassName().equals(NodeApplication.class.getName()) && frame.getMethodName().equals("requireWorkload")) {
                return true;
            }
        }
        return false;
    }
}
