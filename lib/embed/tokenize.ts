// The model's own tokenizer (tokenizer.json of the model directory) with truncation: ids, mask
// and token types per text, cut to the token limit with [SEP] kept at the end.
import { readFileSync } from "node:fs";
import path from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";

export interface TokenizedText {
  ids: number[];
  attentionMask: number[];
  tokenTypeIds: number[];
}

export interface TextTokenizer {
  readonly maxTokens: number;
  encode(text: string): TokenizedText;
}

/** Loads tokenizer.json (+ tokenizer_config.json when present) from `dir`; throws naming the file. */
export function loadTokenizer(dir: string, maxTokens: number): TextTokenizer {
  const read = (file: string, required: boolean): object => {
    const full = path.join(dir, file);
    let text: string;
    try {
      text = readFileSync(full, "utf8");
    } catch (error) {
      if (!required && (error as NodeJS.ErrnoException).code === "ENOENT") return {};
      throw new Error(`cannot read ${full}: ${(error as Error).message}`);
    }
    try {
      return JSON.parse(text) as object;
    } catch (error) {
      throw new Error(`${full} is not valid JSON (${(error as Error).message}); download the model again`);
    }
  };
  const tokenizer = new Tokenizer(read("tokenizer.json", true), read("tokenizer_config.json", false));
  const sep = tokenizer.token_to_id("[SEP]");
  return {
    maxTokens,
    encode(text) {
      const encoding = tokenizer.encode(text, { return_token_type_ids: true });
      let ids = encoding.ids;
      let types = encoding.token_type_ids;
      if (ids.length > maxTokens) {
        // Like Hugging Face's truncation: the text is cut, the closing special token stays.
        const last = ids[ids.length - 1];
        ids = [...ids.slice(0, maxTokens - 1), last === sep && sep !== undefined ? sep : ids[maxTokens - 1]!];
        types = types.slice(0, maxTokens);
      }
      return { ids, attentionMask: ids.map(() => 1), tokenTypeIds: types };
    },
  };
}
