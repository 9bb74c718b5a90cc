package dev.flashline.beam;

import dev.flashline.grouping.ContentKey;
import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Of the requests with the same content key (same document under the same prompt, model and
 * parameters), the one with the smallest id is asked; the others wait for its answer, keyed by it.
 */
final class PickPayersFn extends DoFn<KV<String, Iterable<KV<String, KV<Document, LabelledRecord>>>>, KV<String, KV<Document, LabelledRecord>>> {
  static final TupleTag<KV<String, KV<Document, LabelledRecord>>> PAYERS = new TupleTag<>() {};
  /** Keyed by {@link #payerKey} of the record that pays. */
  static final TupleTag<KV<String, KV<String, KV<Document, LabelledRecord>>>> DUPLICATES = new TupleTag<>() {};

  static String payerKey(String task, String id) {
    return task + "\u0000" + id;
  }

  @ProcessElement
  public void process(@Element KV<String, Iterable<KV<String, KV<Document, LabelledRecord>>>> same, MultiOutputReceiver out) {
    List<KV<String, KV<Document, LabelledRecord>>> requests = new ArrayList<>();
    same.getValue().forEach(requests::add);
    // Smallest (task, id) pays, so which record pays does not depend on arrival order.
    requests.sort(Comparator.comparing((KV<String, KV<Document, LabelledRecord>> r) -> r.getKey())
        .thenComparing(r -> r.getValue().getKey().getId()));
    KV<String, KV<Document, LabelledRecord>> payer = requests.get(0);
    out.get(PAYERS).output(payer);
    String key = payerKey(payer.getKey(), payer.getValue().getKey().getId());
    for (int i = 1; i < requests.size(); i++) {
      out.get(DUPLICATES).output(KV.of(key, requests.get(i)));
    }
  }

  /** Keys each request by what its answer depends on. */
  static final class KeyByContentFn extends DoFn<KV<String, KV<Document, LabelledRecord>>, KV<String, KV<String, KV<Document, LabelledRecord>>>> {
    private final TreeMap<String, String> prefixKeys;

    KeyByContentFn(Map<String, String> prefixKeys) {
      this.prefixKeys = new TreeMap<>(prefixKeys);
    }

    @ProcessElement
    public void process(@Element KV<String, KV<Document, LabelledRecord>> request, OutputReceiver<KV<String, KV<String, KV<Document, LabelledRecord>>>> out) {
      String prefix = prefixKeys.get(request.getKey());
      if (prefix == null) {
        throw new IllegalStateException("no endpoint task named '" + request.getKey() + "'");
      }
      out.output(KV.of(ContentKey.request(prefix, request.getValue().getKey().getText()), request));
    }
  }
}
