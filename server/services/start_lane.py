"""Which lane holds a process's start event: the role allowed to start it."""

from __future__ import annotations

from lxml import etree

from server.engine.parsing import is_bpmn

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def start_lane(sources: dict[str, str], process_id: str) -> str | None:
    """Name of the lane containing the process's none start event, or None when it has no lanes.

    Sources were already parsed safely at deploy time; this parser still refuses entities and the network.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    ns = {"b": BPMN_NS}
    for name, xml in sources.items():
        if not is_bpmn(name):
            continue
        root = etree.fromstring(xml.encode(), parser)
        for process in root.iterfind(f"b:process[@id='{process_id}']", ns):
            starts = {s.get("id") for s in process.iterfind("b:startEvent", ns)}
            for lane in process.iterfind(".//b:lane", ns):
                refs = {ref.text.strip() for ref in lane.iterfind("b:flowNodeRef", ns) if ref.text}
                if refs & starts:
                    return (lane.get("name") or "").strip() or None
    return None


SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"


def first_user_task(sources: dict[str, str], process_id: str) -> tuple[str, str | None, str | None] | None:
    """(element id, form file, UI schema file) of the user task the none start event leads straight to, in the
    start's lane: the form the starter fills first (ex_ante's application), shown on 发起 before anything is
    started. None when the start leads elsewhere (a service task checking the project, a gateway…)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    ns = {"b": BPMN_NS, "s": SPIFF_NS}
    for name, xml in sources.items():
        if not is_bpmn(name):
            continue
        root = etree.fromstring(xml.encode(), parser)
        for process in root.iterfind(f"b:process[@id='{process_id}']", ns):
            starts = [s for s in process.iterfind("b:startEvent", ns) if not len(s.findall("b:*[@id]", ns))]
            outgoing = [o.text.strip() for s in starts[:1] for o in s.iterfind("b:outgoing", ns) if o.text]
            if len(outgoing) != 1:
                return None
            flow = process.find(f"b:sequenceFlow[@id='{outgoing[0]}']", ns)
            target = process.find(f"b:userTask[@id='{flow.get('targetRef')}']", ns) if flow is not None else None
            if target is None:
                return None
            props = {p.get("name"): p.get("value") for p in target.iterfind(".//s:property", ns)}
            return target.get("id"), props.get("formJsonSchemaFilename"), props.get("formUiSchemaFilename")
    return None
