package dev.flashline.backend.openai;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decides the fault of each chat request. Called concurrently from the server's handler threads,
 * once per request, in the order the requests were numbered only approximately; the helpers here
 * are thread-safe, and a stateful one (once, first attempts) counts only the requests it is asked
 * about, which matters inside {@link #chain}.
 */
@FunctionalInterface
public interface Script {
  /** @param requestNumber 1-based count of chat requests received by the server, 401s included */
  Fault decide(ChatRequest request, int requestNumber);

  static Script none() {
    return (request, n) -> Fault.NONE;
  }

  /** Requests 1..n get {@code fault}. */
  static Script firstN(int n, Fault fault) {
    return (request, number) -> number <= n ? fault : Fault.NONE;
  }

  /** Requests after the n-th get {@code fault}: e.g. 402 once the balance runs out mid-job. */
  static Script afterN(int n, Fault fault) {
    return (request, number) -> number > n ? fault : Fault.NONE;
  }

  /** Every request whose document contains {@code substring}. */
  static Script forDocument(String substring, Fault fault) {
    return (request, n) -> request.document().contains(substring) ? fault : Fault.NONE;
  }

  /** Only the first request whose document contains {@code substring}; its retries are normal. */
  static Script forDocumentOnce(String substring, Fault fault) {
    return firstAttempts(substring, 1, fault);
  }

  /** The first {@code attempts} requests whose document contains {@code substring}. */
  static Script firstAttempts(String substring, int attempts, Fault fault) {
    AtomicInteger seen = new AtomicInteger();
    return (request, n) ->
        request.document().contains(substring) && seen.incrementAndGet() <= attempts
            ? fault
            : Fault.NONE;
  }

  /** The first script that decides a fault other than None wins. */
  static Script chain(Script... scripts) {
    List<Script> all = List.of(scripts);
    return (request, n) -> {
      for (Script script : all) {
        Fault fault = script.decide(request, n);
        if (!(fault instanceof Fault.None)) {
          return fault;
        }
      }
      return Fault.NONE;
    };
  }
}
