"""Benchmark: validating a 300-element model (target < 1 s).

Builds a process of 300 flow elements (user tasks in a role lane, exclusive gateways with
conditions, script tasks) and prints the median and worst of several validations.
Usage: .venv/bin/python bench/models.py [--elements 300] [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.services.deploy import check_bundle  # noqa: E402

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions '
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="D" '
    'targetNamespace="http://bpmn.io/schema/bpmn">'
)


def _flow(fid: str, source: str, target: str, condition: str = "") -> str:
    if not condition:
        return f'<bpmn:sequenceFlow id="{fid}" sourceRef="{source}" targetRef="{target}" />'
    return (
        f'<bpmn:sequenceFlow id="{fid}" sourceRef="{source}" targetRef="{target}">'
        f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}'
        "</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )


def big_model(elements: int) -> dict[str, str]:
    """start → (user task → script → gateway) × n → end; each gateway may leave early."""
    n = elements // 3
    nodes = ['<bpmn:startEvent id="start" />', '<bpmn:endEvent id="end" />']
    flows = [_flow("a0", "start", "u0")]
    for i in range(n):
        after = f"u{i + 1}" if i + 1 < n else "end"
        nodes += [
            f'<bpmn:userTask id="u{i}" name="Bước {i}" />',
            f'<bpmn:scriptTask id="s{i}"><bpmn:script>n{i} = {i} + 1</bpmn:script>'
            "</bpmn:scriptTask>",
            f'<bpmn:exclusiveGateway id="g{i}" default="d{i}" />',
        ]
        flows += [
            _flow(f"b{i}", f"u{i}", f"s{i}"),
            _flow(f"c{i}", f"s{i}", f"g{i}"),
            _flow(f"x{i}", f"g{i}", "end", f"n{i} &gt; 10**9"),
            _flow(f"d{i}", f"g{i}", after),
        ]
    refs = "".join(f"<bpmn:flowNodeRef>u{i}</bpmn:flowNodeRef>" for i in range(n))
    lanes = (
        '<bpmn:laneSet id="LS"><bpmn:lane id="L" name="Chuyên viên xử lý">'
        f"{refs}</bpmn:lane></bpmn:laneSet>"
    )
    process = f'<bpmn:process id="big" isExecutable="true">{lanes}{"".join(nodes + flows)}'
    return {"big.bpmn": f"{HEAD}{process}</bpmn:process></bpmn:definitions>"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--elements", type=int, default=300)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    files = big_model(args.elements)
    samples, problems = [], []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        problems = check_bundle(files, "big")
        samples.append(time.perf_counter() - t0)
    print(
        f"validation of a {args.elements}-element model ({len(files['big.bpmn']) // 1024} KB): "
        f"median {statistics.median(samples) * 1000:.0f} ms, worst {max(samples) * 1000:.0f} ms "
        f"(target < 1000 ms); problems found: {len(problems)}"
    )
    for problem in problems[:5]:
        print("  ", problem)


if __name__ == "__main__":
    main()
