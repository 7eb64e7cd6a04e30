/**
 * What the model's tables are: {@link org.sparkwebmodel.common.table.TableName} (schema and name,
 * entropy applied), the {@link org.sparkwebmodel.common.table.Warehouse} they live under, the
 * declaration of a table ({@link org.sparkwebmodel.common.table.ModelTable}: columns, key, gate
 * rules), the declarations every module shares ({@link org.sparkwebmodel.common.table.ModelTables})
 * and their {@link org.sparkwebmodel.common.table.Schemas}. A module declares its own tables in its
 * module class. Depends on {@code error}.
 */
package org.sparkwebmodel.common.table;
