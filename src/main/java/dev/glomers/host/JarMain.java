package dev.glomers.host;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The entry point of {@code target/glomers.jar}: {@code java -jar target/glomers.jar
 * --spring.profiles.active=broadcast} runs the node in the warm node host of its build, as
 * bin/glomers does, starting the host when none runs. It sits at the top of the jar (put there by
 * {@code src/build/jar-entry-point}) and uses only the JDK and the thin client's classes, so no class
 * of Spring loads in this process: it forwards stdin, stdout, stderr and the exit status like the
 * Java thin client, for about the same CPU.
 *
 * <p>A standalone node ({@code GLOMERS_HOST=off}, or the argument {@code --glomers.host=off}) runs
 * in this JVM from the build's extracted jar. It hands over to Spring Boot's own launcher (a
 * standalone node from the nested jars, or the tools and the cluster runner) when: no build is
 * prepared next to the jar ({@code target/glomers/} from {@code ./mvnw package}, not older than the
 * jar); no {@code --spring.profiles.active=} argument; {@code cluster} as first argument; or a
 * Spring Boot jar mode ({@code -Djarmode=tools}).
 */
public final class JarMain {

    private static final String PROFILES_ARG = "--spring.profiles.active=";
    private static final String HOST_ARG = "--glomers.host=";

    private JarMain() {
    }

    public static void main(String[] args) throws Throwable {
        Path appDir = preparedBuild();
        if (appDir != null && standaloneNodeWanted(args)) {
            runExploded(appDir, args);
            return;
        }
        List<String> node = appDir == null || !hostWanted(args) ? null : nodeArgs(args);
        if (node == null) {
            handOverToSpringBoot(args);
            return;
        }
        String key = Files.readString(appDir.resolve("build-id")).trim() + "-"
                + Path.of(System.getProperty("java.home")).getFileName();
        System.exit(HostClient.runNode(appDir, key, node));
    }

    /** Whether this node should run in the host: nobody asked for a standalone JVM or something else. */
    static boolean hostWanted(String[] args) {
        if ("off".equals(System.getenv("GLOMERS_HOST")) || System.getProperty("jarmode") != null) {
            return false;
        }
        if (args.length > 0 && args[0].equals("cluster")) {
            return false;
        }
        for (String arg : args) {
            if (arg.startsWith(HOST_ARG)) {
                return !arg.substring(HOST_ARG.length()).equals("off");
            }
        }
        return true;
    }

    /**
     * What the host needs to start the node: the profiles first, then the other Spring arguments
     * ({@code --glomers.host=} is ours, not Spring's); null when the command line names no profile.
     */
    static List<String> nodeArgs(String[] args) {
        List<String> springArgs = new ArrayList<>();
        String profiles = null;
        for (String arg : args) {
            if (arg.startsWith(PROFILES_ARG)) {
                String more = arg.substring(PROFILES_ARG.length());
                profiles = profiles == null ? more : profiles + "," + more; // as Spring joins repeated arguments
            } else if (!arg.startsWith(HOST_ARG)) {
                springArgs.add(arg);
            }
        }
        if (profiles == null || profiles.isBlank()) {
            return null;
        }
        springArgs.add(0, profiles);
        return springArgs;
    }

    /**
     * {@code target/glomers/} when {@code ./mvnw package} prepared it for the jar this runs from
     * ({@code java -jar} makes the jar the whole class path); null otherwise.
     */
    static Path preparedBuild() throws IOException {
        String classPath = System.getProperty("java.class.path", "");
        if (!classPath.endsWith(".jar") || classPath.contains(java.io.File.pathSeparator)) {
            return null;
        }
        Path jar = Path.of(classPath).toAbsolutePath();
        String name = jar.getFileName().toString();
        Path appDir = jar.resolveSibling(name.substring(0, name.length() - ".jar".length()));
        Path appJar = appDir.resolve("glomers.jar");
        if (!Files.isRegularFile(appDir.resolve("build-id")) || !Files.isRegularFile(appJar)
                || Files.getLastModifiedTime(appJar).compareTo(Files.getLastModifiedTime(jar)) < 0) {
            return null;
        }
        return appDir;
    }

    /** A standalone node asked for by {@code GLOMERS_HOST=off} or {@code --glomers.host=off}. */
    static boolean standaloneNodeWanted(String[] args) {
        return System.getProperty("jarmode") == null && !(args.length > 0 && args[0].equals("cluster"))
                && !hostWanted(args);
    }

    /**
     * The standalone node from the build's extracted jar ({@code target/glomers/glomers.jar}, whose
     * manifest names {@code lib/*.jar}) rather than from the jars nested in this one: classes load
     * faster from plain jars (measured: ~0.4 s less CPU per start). Its own class loader, over the
     * platform loader, so that no class of the node comes from this jar.
     */
    private static void runExploded(Path appDir, String[] args) throws Throwable {
        java.net.URLClassLoader loader = new java.net.URLClassLoader("glomers",
                new java.net.URL[] {appDir.resolve("glomers.jar").toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        Thread.currentThread().setContextClassLoader(loader);
        try {
            Class.forName("dev.glomers.GlomersApplication", true, loader)
                    .getMethod("main", String[].class)
                    .invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Spring Boot's launcher, as the jar would start without us: it runs the Start-Class. */
    private static void handOverToSpringBoot(String[] args) throws Throwable {
        try {
            Class.forName("org.springframework.boot.loader.launch.JarLauncher")
                    .getMethod("main", String[].class)
                    .invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
