package dev.flashline.stream;

import java.io.Serializable;

/**
 * A message to publish, and the input message it finishes (null for an extra copy, such as a
 * failed row's dead letter, whose input the result message already finishes).
 */
public record OutgoingMessage(String topic, String key, byte[] value, KafkaPosition finishes) implements Serializable {}
