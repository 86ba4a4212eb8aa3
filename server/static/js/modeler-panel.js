// The modeler's side panel (templates/admin/modeler.html, used by modeler.js): for the selected element, what
// Jixiao reads from the diagram, editable and written back through bpmn-js's commands (so undo works):
// - lane: the role it is offered to. Lane names stay as drawn; the choice goes to the deploy's lane_roles
//   mapping (lane name -> role code, as services/deployment.py expects); nothing selected: the default role;
// - user task: spiffworkflow:property formJsonSchemaFilename / formUiSchemaFilename / dueIn / titleSuffix, and the
//   instructions (bpmn:documentation, or spiffworkflow:instructionsForEndUser when the diagram has one);
// - service task: spiffworkflow:serviceTaskOperator (id, resultVariable) and its parameters;
// - timer events: timeDate / timeDuration / timeCycle (a sandboxed expression) with a plain-language hint;
// - sequence flows out of exclusive/inclusive gateways: the conditionExpression.
// SpiffWorkflow's extension elements are kept as bpmn-js reads a namespace it has no descriptor for (generic
// elements with $children / $body), so whatever else a diagram carries in that namespace survives the round trip.
// Texts: the page's JSON config (#modeler-panel-config), translated by the server.
(function () {
  "use strict";

  var SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core";
  var TIMER_KINDS = ["timeDate", "timeDuration", "timeCycle"];

  function fill(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (all, key) {
      return values[key] !== undefined ? values[key] : all;
    });
  }

  function localName(type) { return String(type || "").split(":").pop(); }

  function isSpiff(el, name) {
    if (!el || localName(el.$type) !== name) return false;
    var ns = el.$descriptor && el.$descriptor.ns;
    return !ns || !ns.uri || ns.uri === SPIFF;
  }

  function children(el) { return (el && el.$children) || []; }

  function create(modeler, container, config) {
    var L = config.labels || {};
    var modeling = modeler.get("modeling");
    var moddle = modeler.get("moddle");
    var roleCodes = (config.roles || []).map(function (r) { return r.code; });
    var laneRole = {};  // lane element id -> role code chosen ("" = none)
    var defaultRole = config.default_role || "";
    var selected = null;
    var prefix = "spiffworkflow";

    // The prefix the diagram declares for SpiffWorkflow's namespace (declared when missing).
    function spiffPrefix() {
      var attrs = modeler.getDefinitions().$attrs || {};
      for (var key in attrs) {
        if (key.indexOf("xmlns:") === 0 && attrs[key] === SPIFF) return key.slice(6);
      }
      attrs["xmlns:spiffworkflow"] = SPIFF;
      return "spiffworkflow";
    }

    function any(name, attrs, parent) {
      var el = moddle.createAny(prefix + ":" + name, SPIFF, attrs || {});
      if (parent) el.$parent = parent;
      return el;
    }

    // ---- reading and writing extension elements --------------------------------------------------------
    function extValues(bo) { return (bo.extensionElements && bo.extensionElements.get("values")) || []; }
    function findExt(bo, name) { return extValues(bo).filter(function (e) { return isSpiff(e, name); })[0]; }

    function putExt(element, old, replacement) {
      // Replace (or add, or with replacement null remove) one extension element of the element.
      var bo = element.businessObject;
      var ext = bo.extensionElements;
      if (!ext) {
        if (!replacement) return;
        ext = moddle.create("bpmn:ExtensionElements", { values: [replacement] });
        replacement.$parent = ext;
        modeling.updateProperties(element, { extensionElements: ext });
        return;
      }
      var values = extValues(bo).slice();
      var at = old ? values.indexOf(old) : -1;
      if (replacement) replacement.$parent = ext;
      if (at >= 0 && replacement) values.splice(at, 1, replacement);
      else if (at >= 0) values.splice(at, 1);
      else if (replacement) values.push(replacement);
      modeling.updateModdleProperties(element, ext, { values: values });
    }

    function propertyEl(bo, name) {
      return children(findExt(bo, "properties")).filter(function (c) {
        return isSpiff(c, "property") && c.name === name;
      })[0];
    }

    function getProp(bo, name) { var p = propertyEl(bo, name); return p ? (p.value || "") : ""; }

    function setProp(element, name, value) {
      var bo = element.businessObject;
      var props = findExt(bo, "properties");
      var current = propertyEl(bo, name);
      if (current && value) { modeling.updateModdleProperties(element, current, { value: value }); return; }
      if (!current && !value) return;
      var kept = children(props).filter(function (c) { return c !== current; });
      if (value) kept.push(any("property", { name: name, value: value }));
      var replacement = any("properties", {});
      replacement.$children = kept;
      kept.forEach(function (c) { c.$parent = replacement; });
      putExt(element, props, kept.length ? replacement : null);
    }

    function instructions(bo) {
      var own = findExt(bo, "instructionsForEndUser");
      if (own) return own.$body || "";
      return (bo.documentation || []).map(function (d) { return d.text || ""; }).join("\n");
    }

    function setInstructions(element, text) {
      var own = findExt(element.businessObject, "instructionsForEndUser");
      if (own) { modeling.updateModdleProperties(element, own, { $body: text }); return; }
      modeling.updateProperties(element, {
        documentation: text ? [moddle.create("bpmn:Documentation", { text: text })] : []
      });
    }

    function operatorOf(bo) {
      var op = findExt(bo, "serviceTaskOperator");
      var params = [];
      children(op).forEach(function (c) {
        if (isSpiff(c, "parameters")) {
          children(c).forEach(function (p) {
            if (isSpiff(p, "parameter")) params.push({ id: p.id || "", value: p.value || "", type: p.type || "any" });
          });
        }
      });
      return { el: op, id: op ? (op.id || "") : "", result: op ? (op.resultVariable || "") : "", params: params };
    }

    function writeOperator(element, id, result, params) {
      // A new operator element each time: its `id` attribute names the operator, not a diagram element, and
      // must not go through bpmn-js's id bookkeeping. Other children (e.g. spiffworkflow:retry) are kept.
      var old = operatorOf(element.businessObject);
      var attrs = { id: id };
      if (result) attrs.resultVariable = result;
      var op = any("serviceTaskOperator", attrs);
      var list = any("parameters", {}, op);
      list.$children = params.filter(function (p) { return p.id; }).map(function (p) {
        return any("parameter", { id: p.id, type: p.type || "any", value: p.value }, list);
      });
      op.$children = [list].concat(children(old.el).filter(function (c) { return !isSpiff(c, "parameters"); })
        .map(function (c) { c.$parent = op; return c; }));
      putExt(element, old.el, id ? op : null);
    }

    // ---- the timer hint ------------------------------------------------------------------------------
    var UNITS = ["Y", "M", "W", "D", "H", "m", "S"];
    function duration(text) {
      var m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/
        .exec(String(text).trim().toUpperCase());
      if (!m || /T$/i.test(text) || text.trim().length < 3) return "";
      var out = [];
      for (var i = 1; i <= 7; i++) if (m[i]) out.push(fill(L["unit_" + UNITS[i - 1]], { n: m[i] }));
      return out.join(" ");
    }

    function timerHint(kind, expression) {
      var text = String(expression || "").trim();
      if (!text) return "";
      var quoted = /^(["'])(.*)\1$/.exec(text);
      if (!quoted) return /^[A-Za-z_]\w*$/.test(text) ? fill(L.hint_variable, { value: text }) : "";
      var literal = quoted[2].trim();
      if (kind === "timeDuration") {
        var d = duration(literal);
        return d ? fill(L.hint_after, { value: d }) : L.hint_bad;
      }
      if (kind === "timeDate") {
        var zoned = /(Z|[+-]\d\d:?\d\d)$/.test(literal) && !isNaN(Date.parse(literal));
        return zoned ? fill(L.hint_at, { value: literal.replace("T", " ") }) : L.hint_bad;
      }
      var parts = literal.split("/");
      var repeat = /^R(\d*)$/i.exec(parts[0]);
      var every = parts.slice(1).map(duration).filter(Boolean)[0];
      if (!repeat || !every) return L.hint_bad;
      return repeat[1] ? fill(L.hint_every, { value: every, times: repeat[1] }) : fill(L.hint_every_forever, { value: every });
    }

    function dueHint(value) {
      var text = String(value || "").trim();
      if (!text) return L.due_in_hint;
      var d = duration(text);
      return d ? fill(L.due_in_value, { value: d }) : L.hint_bad;
    }

    // ---- building the panel ---------------------------------------------------------------------------
    var uid = 0;
    function field(label, control, hint) {
      var wrap = document.createElement("div");
      wrap.className = "panel-field";
      var id = "panel-field-" + (++uid);
      control.id = id;
      var lab = document.createElement("label");
      lab.setAttribute("for", id);
      lab.textContent = label;
      wrap.append(lab, control);
      if (hint !== undefined) {
        var p = document.createElement("p");
        p.className = "muted panel-hint";
        p.textContent = hint || "";
        wrap.append(p);
      }
      return wrap;
    }

    function select(options, value, onChange) {
      var sel = document.createElement("select");
      options.forEach(function (o) {
        var opt = document.createElement("option");
        opt.value = o.value;
        opt.textContent = o.label;
        sel.append(opt);
      });
      if (value && !options.some(function (o) { return o.value === value; })) {
        var kept = document.createElement("option");  // a value the diagram has but the lists do not: shown as is
        kept.value = value;
        kept.textContent = value;
        sel.append(kept);
      }
      sel.value = value || "";
      sel.addEventListener("change", function () { onChange(sel.value); });
      return sel;
    }

    function input(value, onChange, multiline) {
      var el = document.createElement(multiline ? "textarea" : "input");
      if (!multiline) el.type = "text";
      else el.rows = 4;
      el.value = value || "";
      el.addEventListener("change", function () { onChange(el.value); });
      return el;
    }

    function roleOptions() {
      return [{ value: "", label: L.no_role }].concat((config.roles || []).map(function (r) {
        return { value: r.code, label: r.name + "（" + r.code + "）" };
      }));
    }

    function heading(text, element) {
      var h = document.createElement("h2");
      h.textContent = text;
      if (element) {
        var code = document.createElement("span");
        code.className = "code muted";
        code.textContent = " " + element.id;
        h.append(code);
      }
      return h;
    }

    function nameField(element) {
      return field(L.name, input(element.businessObject.name, function (v) { modeling.updateLabel(element, v); }));
    }

    function is(element, type) { return element.businessObject && element.businessObject.$instanceOf(type); }

    function laneSection(element) {
      var role = laneRole[element.id] || "";
      var hint = role ? L.lane_hint : (defaultRole ? L.lane_hint : L.lane_unmapped);
      return [heading(L.lane, element), nameField(element),
        field(L.lane_role, select(roleOptions(), role, function (v) { laneRole[element.id] = v; render(); }), hint)];
    }

    function userTaskSection(element) {
      var bo = element.businessObject;
      var forms = [{ value: "", label: L.no_form }].concat((config.forms || []).map(function (f) {
        return { value: f.file, label: f.title + "（" + f.file + "）" };
      }));
      var parts = [heading(L.user_task, element), nameField(element),
        field(L.form, select(forms, getProp(bo, "formJsonSchemaFilename"),
          function (v) { setProp(element, "formJsonSchemaFilename", v); }))];
      if ((config.ui_forms || []).length || getProp(bo, "formUiSchemaFilename")) {
        var ui = [{ value: "", label: L.no_ui_form }].concat((config.ui_forms || []).map(function (f) {
          return { value: f.file, label: f.title };
        }));
        parts.push(field(L.ui_form, select(ui, getProp(bo, "formUiSchemaFilename"),
          function (v) { setProp(element, "formUiSchemaFilename", v); })));
      }
      parts.push(field(L.instructions, input(instructions(bo), function (v) { setInstructions(element, v); }, true)));
      // dueIn: an ISO 8601 duration literal (engine/tasks.py stamps the due time when the task becomes ready).
      var due = input(getProp(bo, "dueIn"), function (v) { setProp(element, "dueIn", v.trim()); });
      var dueField = field(L.due_in, due, dueHint(getProp(bo, "dueIn")));
      due.addEventListener("input", function () { dueField.querySelector(".panel-hint").textContent = dueHint(due.value); });
      parts.push(dueField);
      parts.push(field(L.title_suffix, input(getProp(bo, "titleSuffix"),
        function (v) { setProp(element, "titleSuffix", v.trim()); })));
      return parts;
    }

    function serviceTaskSection(element) {
      var op = operatorOf(element.businessObject);
      var params = op.params.map(function (p) { return { id: p.id, value: p.value, type: p.type }; });
      function save() { writeOperator(element, op.id, op.result, params); }
      var ops = [{ value: "", label: L.no_operator }].concat((config.operators || []).map(function (o) {
        return { value: o, label: o };
      }));
      var parts = [heading(L.service_task, element), nameField(element),
        field(L.operator, select(ops, op.id, function (v) { op.id = v; save(); render(); })),
        field(L.result_variable, input(op.result, function (v) { op.result = v.trim(); if (op.id) save(); }))];
      if (!op.id) return parts;
      var table = document.createElement("table");
      table.className = "panel-params";
      var head = table.createTHead().insertRow();
      [L.param_name, L.param_value, ""].forEach(function (t) {
        var th = document.createElement("th");
        th.textContent = t;
        head.append(th);
      });
      var body = table.createTBody();
      function addRow(p) {
        var row = body.insertRow();
        var name = input(p.id, function (v) { p.id = v.trim(); save(); });
        name.setAttribute("aria-label", L.param_name);
        var value = input(p.value, function (v) { p.value = v; save(); });
        value.setAttribute("aria-label", L.param_value);
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "small";
        remove.textContent = L.remove;
        remove.addEventListener("click", function () { params.splice(params.indexOf(p), 1); save(); render(); });
        row.insertCell().append(name);
        row.insertCell().append(value);
        row.insertCell().append(remove);
        return name;
      }
      params.forEach(addRow);
      var add = document.createElement("button");
      add.type = "button";
      add.className = "small";
      add.textContent = L.add_param;
      add.addEventListener("click", function () {  // saved once it has a name
        var p = { id: "", value: "", type: "any" };
        params.push(p);
        addRow(p).focus();
      });
      var box = document.createElement("div");
      box.className = "panel-field";
      var label = document.createElement("p");
      label.className = "panel-label";
      label.textContent = L.params;
      box.append(label, table, add);
      parts.push(box);
      return parts;
    }

    function timerSection(element, definition) {
      var kind = TIMER_KINDS.filter(function (k) { return definition.get(k); })[0] || "timeDuration";
      var expression = definition.get(kind) ? (definition.get(kind).body || "") : "";
      var hint;
      function save() {
        var props = {};
        TIMER_KINDS.forEach(function (k) { props[k] = undefined; });
        props[kind] = expression ? moddle.create("bpmn:FormalExpression", { body: expression }) : undefined;
        modeling.updateModdleProperties(element, definition, props);
      }
      var kinds = TIMER_KINDS.map(function (k) { return { value: k, label: L[k] + "（" + k + "）" }; });
      var value = input(expression, function (v) { expression = v.trim(); save(); });
      value.addEventListener("input", function () { hint.textContent = timerHint(kind, value.value); });
      var valueField = field(L.timer_value, value, timerHint(kind, expression));
      hint = valueField.querySelector(".panel-hint");
      var help = document.createElement("p");
      help.className = "muted panel-hint";
      help.textContent = L.timer_hint;
      valueField.append(help);
      return [heading(L.timer, element), nameField(element),
        field(L.timer_kind, select(kinds, kind, function (v) { kind = v; save(); render(); })), valueField];
    }

    function flowSection(element) {
      var bo = element.businessObject;
      var parts = [heading(L.flow, element), nameField(element)];
      if (bo.sourceRef && bo.sourceRef.default === bo) {
        var note = document.createElement("p");
        note.className = "muted";
        note.textContent = L.default_flow;
        parts.push(note);
        return parts;
      }
      var current = bo.conditionExpression ? (bo.conditionExpression.body || "") : "";
      parts.push(field(L.condition, input(current, function (v) {
        var text = v.trim();
        modeling.updateProperties(element, {
          conditionExpression: text ? moddle.create("bpmn:FormalExpression", { body: text }) : undefined
        });
      }, true), L.condition_hint));
      return parts;
    }

    function processSection() {
      return [heading(L.process), field(L.default_role, select(roleOptions(), defaultRole,
        function (v) { defaultRole = v; }), L.default_role_hint), (function () {
        var p = document.createElement("p");
        p.className = "muted";
        p.textContent = L.nothing;
        return p;
      })()];
    }

    function sectionFor(element) {
      if (!element) return processSection();
      var bo = element.businessObject;
      if (is(element, "bpmn:Lane")) return laneSection(element);
      if (is(element, "bpmn:UserTask")) return userTaskSection(element);
      if (is(element, "bpmn:ServiceTask")) return serviceTaskSection(element);
      var timer = (bo.eventDefinitions || []).filter(function (d) { return d.$instanceOf("bpmn:TimerEventDefinition"); })[0];
      if (timer) return timerSection(element, timer);
      // Conditions are read on the flows out of exclusive, inclusive and complex gateways (a parallel or
      // event-based gateway takes its flows without one).
      var source = is(element, "bpmn:SequenceFlow") ? bo.sourceRef : null;
      if (source && ["bpmn:ExclusiveGateway", "bpmn:InclusiveGateway", "bpmn:ComplexGateway"].some(function (t) {
        return source.$instanceOf(t);
      })) {
        return flowSection(element);
      }
      if (is(element, "bpmn:Process") || is(element, "bpmn:Collaboration") || is(element, "bpmn:Participant")) {
        return processSection();
      }
      var other = document.createElement("p");
      other.className = "muted";
      other.textContent = L.other;
      return [heading(L.title, element), nameField(element), other];
    }

    function render() {
      container.replaceChildren.apply(container, sectionFor(selected));
      container.setAttribute("data-element-id", selected ? selected.id : "");
    }

    // Lanes as drawn: a lane named by a role code is that role unless the mapping says otherwise.
    function readLanes() {
      laneRole = {};
      var mapping = config.lane_roles || {};
      modeler.get("elementRegistry").filter(function (e) { return is(e, "bpmn:Lane"); }).forEach(function (lane) {
        var name = String(lane.businessObject.name || "").trim();
        laneRole[lane.id] = mapping[name] || (roleCodes.indexOf(name) >= 0 ? name : "");
      });
    }

    function reload() {  // a new diagram in the canvas
      prefix = spiffPrefix();
      readLanes();
      selected = null;
      render();
    }

    prefix = spiffPrefix();
    readLanes();
    modeler.get("eventBus").on("selection.changed", function (event) {
      selected = event.newSelection.length === 1 ? event.newSelection[0] : null;
      if (selected && selected.type === "label") selected = selected.labelTarget;  // a name picked: its element
      render();
    });
    modeler.get("eventBus").on("commandStack.changed", function () {
      if (!container.contains(document.activeElement)) render();  // undo/redo: show the element's values again
    });
    render();

    return {
      // {lane_roles, default_role} for the deploy, check and draft requests (services/deployment.py).
      laneOptions: function () {
        var mapping = {};
        modeler.get("elementRegistry").filter(function (e) { return is(e, "bpmn:Lane"); }).forEach(function (lane) {
          var name = String(lane.businessObject.name || "").trim();
          var role = laneRole[lane.id];
          if (name && role && role !== name) mapping[name] = role;
        });
        return { lane_roles: mapping, default_role: defaultRole || null };
      },
      reload: reload,
      timerHint: timerHint
    };
  }

  window.JixiaoModelerPanel = { create: create };
})();
