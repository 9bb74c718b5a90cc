package dev.flashline.task;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.flashline.schema.TaskType;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Reads a job spec from YAML, strictly: an unknown field is an error (a typo such as
 * {@code lables:} must not silently produce a job without labels), and every error names the
 * file, the line and the field.
 */
public final class JobSpecLoader {
  private static final PropertyNamingStrategies.NamingBase SNAKE_CASE =
      new PropertyNamingStrategies.SnakeCaseStrategy();

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
      // Jackson reports an unknown field of a record only after constructing it, so a validation
      // error (such as "needs at least 2 labels" for a 'lables:' typo) would hide the typo, and the
      // line would be the end of the record. Check the shape and field names first.
      checkFieldNames(yaml, source);
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

  private static void checkFieldNames(String yaml, String source) throws IOException, JobSpecException {
    try (JsonParser parser = YAML.getFactory().createParser(yaml)) {
      JsonToken first = parser.nextToken();
      if (first == null || first == JsonToken.VALUE_NULL) {
        throw new JobSpecException("job spec " + source + ": the file is empty");
      }
      if (first != JsonToken.START_OBJECT) {
        throw new JobSpecException("job spec " + source + ": expected a mapping of fields at the top level");
      }
      rejectUnknownFields(parser, JobSpec.class, "", source);
    }
  }

  /** Walks one mapping (the parser is on its START_OBJECT) against the record type it binds to. */
  private static void rejectUnknownFields(JsonParser parser, Class<?> type, String path, String source)
      throws IOException, JobSpecException {
    Map<String, Type> fields = new TreeMap<>();
    for (RecordComponent component : type.getRecordComponents()) {
      // A component renamed with @JsonProperty (native, a Java keyword) goes by that name.
      com.fasterxml.jackson.annotation.JsonProperty renamed = component.getAccessor().getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
      String name = renamed != null && !renamed.value().isEmpty() ? renamed.value() : SNAKE_CASE.translate(component.getName());
      fields.put(name, component.getGenericType());
    }
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      String fieldPath = path.isEmpty() ? name : path + "." + name;
      Type fieldType = fields.get(name);
      if (fieldType == null) {
        throw new JobSpecException(
            "job spec " + source + where(parser.getTokenLocation()) + ": unknown field '" + fieldPath
                + "' (known fields: " + String.join(", ", fields.keySet()) + ")");
      }
      JsonToken value = parser.nextToken();
      if (value == JsonToken.START_OBJECT && fieldType instanceof Class<?> nested && nested.isRecord()) {
        rejectUnknownFields(parser, nested, fieldPath, source);
      } else if (value == JsonToken.START_ARRAY
          && fieldType instanceof ParameterizedType list
          && list.getActualTypeArguments()[0] instanceof Class<?> element
          && element.isRecord()) {
        for (int i = 0; ; i++) {
          JsonToken item = parser.nextToken();
          if (item == null || item == JsonToken.END_ARRAY) {
            break;
          }
          if (item == JsonToken.START_OBJECT) {
            rejectUnknownFields(parser, element, fieldPath + "[" + i + "]", source);
          } else {
            parser.skipChildren();
          }
        }
      } else {
        parser.skipChildren();
      }
    }
  }

  private static String where(JsonProcessingException e) {
    return where(e.getLocation());
  }

  private static String where(JsonLocation location) {
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
