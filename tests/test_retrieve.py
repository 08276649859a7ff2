"""Retrieve stage: dense and lexical rankings fused."""


from assistant.retrieve import fuse


def test_reciprocal_rank_fusion_weights_each_ranking():
    fused = fuse([(["a", "b", "c"], 1.0), (["c", "b"], 0.5)], k=10)
    assert max(fused, key=fused.get) == "b"  # second in one list, second in the other
    assert fused["a"] == 1.0 / 11
    assert fuse([(["a"], 0.0), (["b"], 1.0)], k=10)["a"] == 0.0
