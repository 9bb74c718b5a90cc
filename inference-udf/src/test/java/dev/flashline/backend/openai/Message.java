package dev.flashline.backend.openai;

/** One chat message of a request; content parts, if a client sends them, are joined into text. */
public record Message(String role, String content) {}
