"""先评估后入库 (workflows/ex_ante, forms/ex_ante): application, assessment, library admission; registered in flow.py."""
