package dev.flashline.task;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.flashline.schema.TaskType;
import java.util.Locale;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Reads a job spec from YAML, strictly: an unknown field is an error (a typo such as
 * {@code lables:} must not silently produce a job without labels), and every error names the
 * file, the line and the field.
 */
public final class JobSpecLoader {
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .registerModule(new SimpleModule().addDeserializer(TaskType.class, new TaskTypeDeserializer()));

  private JobSpecLoader() {}

  public static JobSpec load(Path file) throws JobSpecException {
    String yaml;
    try {
      yaml = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new JobSpecException("job spec " + file + ": no such file");
    } catch (IOException e) {
      throw new JobSpecException("job spec " + file + ": cannot read: " + e.getMessage(), e);
    }
    return parse(yaml, file.toString());
  }

  /** @param source names the spec in error messages */
  public static JobSpec parse(String yaml, String source) throws JobSpecException {
    try {
      JsonNode tree = YAML.readTree(yaml);
      if (tree == null || tree.isMissingNode() || tree.isNull()) {
        throw new JobSpecException("job spec " + source + ": the file is empty");
      }
      if (!tree.isObject()) {
        throw new JobSpecException("job spec " + source + ": expected a mapping of fields at the top level");
      }
      // Bind from the text, not the tree, so that errors keep their line numbers.
      return YAML.readValue(yaml, JobSpec.class);
    } catch (UnrecognizedPropertyException e) {
      String known =
          e.getKnownPropertyIds() == null
              ? ""
              : " (known fields: "
                  + e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", "))
                  + ")";
      throw new JobSpecException(
          "job spec " + source + where(e) + ": unknown field '" + path(e) + "'" + known, e);
    } catch (JsonMappingException e) {
      Throwable root = rootCause(e);
      String detail = root instanceof IllegalArgumentException ? root.getMessage() : e.getOriginalMessage();
      String field = path(e);
      throw new JobSpecException(
          "job spec " + source + where(e) + (field.isEmpty() ? "" : ": field '" + field + "'") + ": " + detail, e);
    } catch (JsonProcessingException e) {
      throw new JobSpecException("job spec " + source + where(e) + ": not valid YAML: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new JobSpecException("job spec " + source + ": " + e.getMessage(), e);
    }
  }

  /** Reads the task name case-insensitively, and in the American spelling too. */
  private static final class TaskTypeDeserializer extends StdDeserializer<TaskType> {
    TaskTypeDeserializer() {
      super(TaskType.class);
    }

    @Override
    public TaskType deserialize(JsonParser parser, DeserializationContext context) throws IOException {
      String value = parser.getValueAsString();
      String name = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
      if (name.equals("summarize")) {
        return TaskType.summarise;
      }
      for (TaskType task : TaskType.values()) {
        if (task.name().equals(name)) {
          return task;
        }
      }
      throw InvalidFormatException.from(
          parser, "unknown task '" + value + "' (known: classify, summarise)", value, TaskType.class);
    }
  }

  private static String where(JsonProcessingException e) {
    JsonLocation location = e.getLocation();
    if (location == null || location.getLineNr() < 1) {
      return "";
    }
    return " line " + location.getLineNr() + ", column " + location.getColumnNr();
  }

  private static String path(JsonMappingException e) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (out.length() > 0) {
          out.append('.');
        }
        out.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        out.append('[').append(ref.getIndex()).append(']');
      }
    }
    return out.toString();
  }

  private static Throwable rootCause(Throwable t) {
    Throwable cause = t;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause;
  }
}
