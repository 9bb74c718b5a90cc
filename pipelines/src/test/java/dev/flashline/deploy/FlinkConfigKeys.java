package dev.flashline.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.FallbackKey;

/**
 * The configuration keys Flink 1.19 knows, read from its own option classes (the Flink jars the
 * Beam runner brings): every {@code ConfigOption} of {@code org.apache.flink.configuration.*Options}
 * and of the streaming module's {@code ExecutionCheckpointingOptions}, with their deprecated and
 * fallback keys. A few families are not in those classes and are allowed by pattern: the options
 * of a named metrics reporter, the S3 plugin's {@code s3.*} (passed on to the file system), and the
 * operator's own {@code kubernetes.operator.*}.
 */
final class FlinkConfigKeys {
  private static final List<String> EXTRA_OPTION_CLASSES =
      List.of("org.apache.flink.streaming.api.environment.ExecutionCheckpointingOptions");
  private static final Set<String> REPORTER_KEYS =
      Set.of("factory.class", "interval", "port", "host", "filter.includes", "filter.excludes", "scope.delimiter",
          "scope.variables.excludes", "scope.variables.additional", "filterLabelValueCharacters");

  private static FlinkConfigKeys instance;

  private final Set<String> keys = new HashSet<>();

  /** The keys, read once per test run. */
  static synchronized FlinkConfigKeys get() {
    if (instance == null) {
      instance = new FlinkConfigKeys();
    }
    return instance;
  }

  private FlinkConfigKeys() {
    try (JarFile jar = new JarFile(jarOf(CoreOptions.class).toFile())) {
      for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
        String name = entries.nextElement().getName();
        if (name.startsWith("org/apache/flink/configuration/") && name.endsWith("Options.class") && !name.contains("$")
            && name.indexOf('/', "org/apache/flink/configuration/".length()) < 0) {
          addOptions(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    EXTRA_OPTION_CLASSES.forEach(this::addOptions);
    if (keys.size() < 500) {
      throw new IllegalStateException("found only " + keys.size() + " Flink configuration keys; the scan is broken");
    }
  }

  /** Whether Flink (or one of the allowed families) knows this key. */
  boolean known(String key) {
    if (keys.contains(key) || key.startsWith("s3.") || key.startsWith("kubernetes.operator.")) {
      return true;
    }
    if (key.startsWith("metrics.reporter.")) {
      String rest = key.substring("metrics.reporter.".length());
      int dot = rest.indexOf('.');
      return dot > 0 && REPORTER_KEYS.contains(rest.substring(dot + 1));
    }
    return false;
  }

  private void addOptions(String className) {
    Class<?> type;
    try {
      type = Class.forName(className);
    } catch (ClassNotFoundException | LinkageError e) {
      return; // an options class of a module that is not on the test class path
    }
    for (Field field : type.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && ConfigOption.class.isAssignableFrom(field.getType())) {
        try {
          ConfigOption<?> option = (ConfigOption<?>) field.get(null);
          keys.add(option.key());
          for (FallbackKey fallback : option.fallbackKeys()) {
            keys.add(fallback.getKey());
          }
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  private static Path jarOf(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
