package dev.flashline.backend.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Error bodies in DeepSeek's shape, {@code {"error":{"message","type","param","code"}}}, with the
 * messages of DeepSeek's error-code table, so a client's error parsing is tested against text it
 * will really meet.
 */
public final class ErrorBodies {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ErrorBodies() {}

  public static String forStatus(int code) {
    return switch (code) {
      case 400 -> of("Invalid request body format", "invalid_request_error", "invalid_request_error");
      case 401 -> of("Authentication Fails, Your api key is invalid", "authentication_error", "invalid_request_error");
      // DeepSeek really sends "unknown_error" as the type of a 402.
      case 402 -> of("Insufficient Balance", "unknown_error", "invalid_request_error");
      case 404 -> of("Not Found", "invalid_request_error", "invalid_request_error");
      case 405 -> of("Method Not Allowed", "invalid_request_error", "invalid_request_error");
      case 422 -> of("Invalid Parameters", "invalid_request_error", "invalid_request_error");
      case 429 -> of("Rate Limit Reached", "rate_limit_error", "rate_limit_exceeded");
      case 500 -> of("Server Error", "server_error", "server_error");
      case 503 -> of("Server Overloaded", "server_error", "server_overloaded");
      default -> of("HTTP " + code, "server_error", "unknown_error");
    };
  }

  public static String of(String message, String type, String code) {
    ObjectNode error = JSON.createObjectNode();
    error.putObject("error").put("message", message).put("type", type).putNull("param").put("code", code);
    return error.toString();
  }
}
