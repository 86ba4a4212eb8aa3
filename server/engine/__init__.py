"""The only package that imports SpiffWorkflow.

parsing (compile_package) -> spec_json per version; runtime (Engine/Workflow) runs instances against
it; sandbox/scripting evaluate every user expression; operators are the service-task functions;
serializer keeps state as sorted JSON text with the spec stored by reference; timers route
SpiffWorkflow's "now" through the injected Clock.
"""
