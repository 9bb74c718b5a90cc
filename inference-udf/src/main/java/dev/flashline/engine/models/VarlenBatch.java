package dev.flashline.engine.models;

import java.util.HashSet;
import java.util.Set;

/**
 * One forward pass's tokens for several sequences, packed end to end without padding ("varlen",
 * as flash-attention and nano-vllm take them): sequence {@code s} is tokens {@code
 * [cuSeqLens[s], cuSeqLens[s+1])}, named {@code seqIds[s]} in the KV cache, at consecutive
 * positions. A prompt being prefilled contributes many tokens, a decoding sequence one; both mix
 * in one batch.
 *
 * @param tokens (tokens) token ids
 * @param positions (tokens) position of each token within its sequence
 * @param cuSeqLens (seqs + 1) cumulative token counts, starting at 0
 * @param seqIds (seqs) cache sequence ids, distinct
 */
public record VarlenBatch(int[] tokens, int[] positions, int[] cuSeqLens, int[] seqIds) {

  public VarlenBatch {
    if (cuSeqLens.length < 2 || cuSeqLens[0] != 0) {
      throw new IllegalArgumentException("cuSeqLens must start at 0 and name at least one sequence");
    }
    if (seqIds.length != cuSeqLens.length - 1) {
      throw new IllegalArgumentException(seqIds.length + " seqIds for " + (cuSeqLens.length - 1) + " sequences");
    }
    if (tokens.length != positions.length || tokens.length != cuSeqLens[cuSeqLens.length - 1]) {
      throw new IllegalArgumentException("tokens (" + tokens.length + "), positions (" + positions.length
          + ") and cuSeqLens total (" + cuSeqLens[cuSeqLens.length - 1] + ") disagree");
    }
    Set<Integer> seen = new HashSet<>();
    for (int s = 0; s < seqIds.length; s++) {
      if (!seen.add(seqIds[s])) {
        // Two slices of one sequence in a pass would race on its cache rows.
        throw new IllegalArgumentException("sequence id " + seqIds[s] + " appears twice");
      }
      if (cuSeqLens[s + 1] <= cuSeqLens[s]) {
        throw new IllegalArgumentException("sequence " + s + " has no tokens");
      }
      if (positions[cuSeqLens[s]] < 0) {
        throw new IllegalArgumentException("sequence " + s + " starts at negative position");
      }
      for (int t = cuSeqLens[s] + 1; t < cuSeqLens[s + 1]; t++) {
        if (positions[t] != positions[t - 1] + 1) {
          throw new IllegalArgumentException("positions of sequence " + s + " are not consecutive at token " + t);
        }
      }
    }
  }

  /**
   * Packs per-sequence token slices.
   *
   * @param slices [seq] the new tokens of each sequence
   * @param starts (seqs) position of each slice's first token (the number already cached)
   * @param seqIds (seqs) cache sequence ids
   */
  public static VarlenBatch of(int[][] slices, int[] starts, int[] seqIds) {
    if (starts.length != slices.length) {
      throw new IllegalArgumentException(slices.length + " slices but " + starts.length + " starts");
    }
    int[] cu = new int[slices.length + 1];
    for (int s = 0; s < slices.length; s++) {
      cu[s + 1] = cu[s] + slices[s].length;
    }
    int[] tokens = new int[cu[slices.length]];
    int[] positions = new int[tokens.length];
    for (int s = 0; s < slices.length; s++) {
      for (int j = 0; j < slices[s].length; j++) {
        tokens[cu[s] + j] = slices[s][j];
        positions[cu[s] + j] = starts[s] + j;
      }
    }
    return new VarlenBatch(tokens, positions, cu, seqIds);
  }

  /** A whole prompt from position 0, as sequence {@code seqId}. */
  public static VarlenBatch prompt(int[] tokens, int seqId) {
    return of(new int[][] {tokens}, new int[] {0}, new int[] {seqId});
  }

  public int numTokens() {
    return tokens.length;
  }

  public int numSeqs() {
    return seqIds.length;
  }

  /** (tokens) the cache sequence id of every token. */
  public int[] tokenSeq() {
    int[] out = new int[tokens.length];
    for (int s = 0; s < seqIds.length; s++) {
      for (int t = cuSeqLens[s]; t < cuSeqLens[s + 1]; t++) {
        out[t] = seqIds[s];
      }
    }
    return out;
  }

  /** Index in {@link #tokens} of sequence {@code s}'s last token. */
  public int lastToken(int s) {
    return cuSeqLens[s + 1] - 1;
  }

  /** How many positions of sequence {@code s} the cache holds after this pass. */
  public int contextLength(int s) {
    return positions[lastToken(s)] + 1;
  }
}
