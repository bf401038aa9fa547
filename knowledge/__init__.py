"""Embeddings and vector indexes over the shop's help articles and its catalog.

`Knowledge` (knowledge.service) is what the actions use; the modules beneath it
read the content (articles, products), embed it (embedder) and index it
(index). Nothing heavy is imported here: torch and faiss load on first use.
"""
